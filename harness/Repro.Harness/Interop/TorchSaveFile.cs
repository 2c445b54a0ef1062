using System.Collections;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Repro.Interop;

/// <summary>
/// PyTorch's torch.save files (zip archive + pickle, the format since torch 1.6) holding tensors by name:
/// a plain state dict, or a training checkpoint whose state dict sits under "model" or "state_dict"
/// (as torchvision's reference train.py and the authors' scripts write it). Pickle decoding is TorchSharp.PyBridge's.
/// </summary>
public static class TorchSaveFile
{
    static readonly string[] NestedStateDictKeys = ["model", "state_dict"];

    /// <summary>The file's state dict: the tensors under "model" or "state_dict" of a training checkpoint, else its top-level tensors.</summary>
    public static Dictionary<string, Tensor> ReadStateDict(string path)
    {
        var top = Unpickle(path);
        foreach (var key in NestedStateDictKeys)
            if (top[key] is IDictionary nested && Tensors(nested) is { Count: > 0 } inner)
                return inner;
        var tensors = Tensors(top);
        if (tensors.Count > 0) return tensors;
        throw new InvalidDataException(
            $"{path}: holds no tensors at the top level nor under {string.Join(" or ", NestedStateDictKeys.Select(k => $"'{k}'"))}; " +
            $"its top-level keys are [{string.Join(", ", top.Keys.Cast<object>())}]. Save the model's state_dict() with torch.save.");
    }

    /// <summary>The tensors stored at the top level of the file (e.g. an input batch and its logits).</summary>
    public static Dictionary<string, Tensor> ReadTopLevel(string path)
    {
        var tensors = Tensors(Unpickle(path));
        return tensors.Count > 0 ? tensors : throw new InvalidDataException($"{path}: holds no tensors at the top level");
    }

    /// <summary>Writes the tensors as a dict that torch.load (torch ≥ 1.6) reads back.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors)
    {
        var table = new Hashtable();
        foreach (var (name, t) in tensors) table[name] = t.detach().cpu().contiguous();
        Config.AtomicFile.Write(path, tmp =>
        {
            using var stream = File.Create(tmp);
            PyTorchPickler.PickleStateDict(stream, table, leaveOpen: true);
        });
    }

    static IDictionary Unpickle(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        try
        {
            using var stream = File.OpenRead(path);
            return PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: false, skipTensorRead: false);
        }
        catch (NotImplementedException e)
        {
            throw new InvalidDataException(
                $"{path}: not a readable torch.save file ({e.Message}). Re-save it in PyTorch with " +
                "torch.save(model.state_dict(), path) (zip format, the default since torch 1.6).", e);
        }
        catch (Exception e) when (e is InvalidCastException or InvalidDataException or IOException or Razorvine.Pickle.PickleException or KeyNotFoundException)
        {
            throw new InvalidDataException($"{path}: not a torch.save file or truncated ({e.Message}).", e);
        }
    }

    static Dictionary<string, Tensor> Tensors(IDictionary table)
    {
        var result = new Dictionary<string, Tensor>();
        foreach (DictionaryEntry e in table)
            if (e.Key is string name && e.Value is Tensor t) result[name] = t;
        return result;
    }
}
