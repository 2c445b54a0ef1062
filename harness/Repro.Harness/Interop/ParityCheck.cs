using System.Globalization;
using System.Text.Json;
using Repro.Config;
using Repro.Models;
using Repro.Pruning;
using static TorchSharp.torch;

namespace Repro.Interop;

/// <summary>One model's comparison with torchvision on identical weights and input.</summary>
/// <param name="RelativeDeviation">max |ours − torchvision| / max |torchvision| over all logits.</param>
/// <param name="GradientRelativeDeviation">The same over the gradients of all parameters for a cross-entropy loss.</param>
public sealed record ParityResult(string Name, string Architecture, long Parameters, long TorchvisionParameters,
    double MaxAbsDeviation, double MaxAbsLogit, double RelativeDeviation, double GradientRelativeDeviation, bool Passed);

/// <summary>
/// Checks the suite's models against torchvision: reads the reference folder written by
/// tools/parity/make_reference.py (manifest.json, per model a state dict and an input/logits file),
/// loads each state dict into the model the manifest's ModelConfig builds and compares the logits and the
/// parameter gradients of a cross-entropy loss.
/// With an export folder, each model is then pruned to 50 % (one-shot, global magnitude) and written back as
/// PyTorch state dicts (plain and with torch's pruning reparametrisation) with its own logits, for
/// tools/parity/make_reference.py --check-export to load into torchvision.
/// </summary>
public static class ParityCheck
{
    public const double Tolerance = 1e-4;

    /// <summary>
    /// For gradients: torch's own float32 ResNet-50 gradients differ from its float64 ones by 1.2–1.4e-4 of their
    /// scale (measured on the reference models), so two float32 implementations cannot agree to 1e-4.
    /// </summary>
    public const double GradientTolerance = 1e-3;

    sealed record Manifest(string Torch, string Torchvision, List<Entry> Models);

    sealed record Entry(string Name, ModelConfig Model, int ImageSize, int NumClasses, string Weights, string Io, long Parameters);

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static IReadOnlyList<ParityResult> Run(string directory, Action<string> log, string? exportDirectory = null)
    {
        Torch.TorchRuntime.Require("ParityCheck.Run");
        var manifestPath = Path.Combine(directory, "manifest.json");
        if (!File.Exists(manifestPath))
            throw new FileNotFoundException(
                $"{manifestPath}: not found. Write the reference first: /usr/bin/python3 tools/parity/make_reference.py --out {directory}");
        Manifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(manifestPath), Json)
                       ?? throw new InvalidDataException($"{manifestPath}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{manifestPath}: not a parity manifest ({e.Message}); rewrite it with tools/parity/make_reference.py");
        }
        log($"reference: torch {manifest.Torch}, torchvision {manifest.Torchvision}, {manifest.Models.Count} model(s)");
        var results = new List<ParityResult>();
        foreach (var entry in manifest.Models)
        {
            var result = Compare(directory, entry, exportDirectory);
            var verdict = result.Passed ? "ok" : $"FAILED (tolerance {Tolerance:E0}, gradients {GradientTolerance:E0})";
            log(string.Create(CultureInfo.InvariantCulture,
                $"{result.Name,-18} params {result.Parameters,12:N0} (torchvision {result.TorchvisionParameters,12:N0})  max |Δ| {result.MaxAbsDeviation:E2}  max |logit| {result.MaxAbsLogit:G4}  relative {result.RelativeDeviation:E2}  gradients relative {result.GradientRelativeDeviation:E2}  {verdict}"));
            results.Add(result);
        }
        return results;
    }

    static ParityResult Compare(string directory, Entry entry, string? exportDirectory)
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(entry.Model, entry.NumClasses, entry.ImageSize);
        model.eval();
        using (PyTorchCheckpoint.Load(Path.Combine(directory, entry.Weights), model, PrunedLayers.ConvAndLinear)) { }
        var io = TorchSaveFile.ReadTopLevel(Path.Combine(directory, entry.Io));
        var expected = io["logits"];
        Tensor got;
        using (no_grad()) got = model.call(io["input"]);
        if (!got.shape.SequenceEqual(expected.shape))
            throw new InvalidDataException($"{entry.Name}: logits are [{string.Join(", ", got.shape)}], torchvision's [{string.Join(", ", expected.shape)}]");
        var maxDeviation = (got - expected).abs().max().item<float>();
        var maxLogit = expected.abs().max().item<float>();
        var relative = maxDeviation / Math.Max(maxLogit, 1e-12);
        var gradientDeviation = GradientDeviation(model, io);
        var parameters = model.parameters().Sum(p => p.numel());
        if (exportDirectory != null) Export(model, io["input"], exportDirectory, entry.Name);
        return new ParityResult(entry.Name, entry.Model.Key, parameters, entry.Parameters, maxDeviation, maxLogit, relative,
            gradientDeviation, relative <= Tolerance && gradientDeviation <= GradientTolerance && parameters == entry.Parameters);
    }

    /// <summary>max |ours − torchvision| / max |torchvision| over every parameter's gradient (eval-mode forward).</summary>
    static double GradientDeviation(nn.Module<Tensor, Tensor> model, Dictionary<string, Tensor> io)
    {
        model.zero_grad();
        nn.functional.cross_entropy(model.call(io["input"]), io["labels"]).backward();
        double maxDeviation = 0, maxGradient = 0;
        foreach (var (name, p) in model.named_parameters())
        {
            if (!io.TryGetValue($"grad.{name}", out var expected))
                throw new InvalidDataException($"the reference has no gradient for '{name}'; rewrite it with tools/parity/make_reference.py");
            maxDeviation = Math.Max(maxDeviation, (p.grad! - expected).abs().max().item<float>());
            maxGradient = Math.Max(maxGradient, expected.abs().max().item<float>());
        }
        model.zero_grad();
        return maxDeviation / Math.Max(maxGradient, 1e-12);
    }

    static void Export(nn.Module<Tensor, Tensor> model, Tensor input, string directory, string name)
    {
        Directory.CreateDirectory(directory);
        using var masks = OneShotMagnitudePruning.Prune(model, PrunedLayers.ConvAndLinear, 0.5);
        Tensor logits;
        using (no_grad()) logits = model.call(input);
        PyTorchCheckpoint.Save(Path.Combine(directory, $"{name}.pt"), model, masks);
        PyTorchCheckpoint.Save(Path.Combine(directory, $"{name}.plain.pt"), model);
        TorchSaveFile.Write(Path.Combine(directory, $"{name}.io.pt"), new Dictionary<string, Tensor> { ["input"] = input, ["logits"] = logits });
        logits.Dispose();
    }
}
