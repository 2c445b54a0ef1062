using Repro.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Repro.Models;

/// <summary>
/// torchvision's Swin Transformer V2 (swin_v2_t at its defaults) with identical parameter and buffer names
/// (features.0.0 patch conv, features.0.2 norm, features.{1,3,5,7}.N blocks with norm1, attn.{qkv, proj,
/// logit_scale, cpb_mlp.0, cpb_mlp.2, relative_coords_table, relative_position_index}, norm2, mlp.0, mlp.3;
/// features.{2,4,6} PatchMergingV2 reduction/norm; norm; head), torchvision 0.14's window padding and
/// shift rules, stochastic depth, and initialisation. Stage i has 3·2^i heads and embedDim·2^i channels.
/// </summary>
public sealed class SwinTransformerV2 : Module<Tensor, Tensor>
{
    readonly Sequential features;
    readonly LayerNorm norm;
    readonly Linear head;

    public int FeatureChannels { get; }

    /// <summary>Output stride of <see cref="Features"/>: patch size × 2^(stages − 1).</summary>
    public int FeatureStride { get; }

    public SwinTransformerV2(string name, int patchSize, int embedDim, IReadOnlyList<int> depths, int windowSize,
        double stochasticDepthProb, int numClasses) : base(name)
    {
        if (embedDim % 3 != 0)
            throw new ArgumentException($"embedding size {embedDim} must be a multiple of 3 (the first stage's head count)");
        var layers = new List<(string, Module<Tensor, Tensor>)>
        {
            ("0", Sequential(("0", Conv2d(3, embedDim, patchSize, stride: patchSize)), ("1", new ChannelsLast()),
                ("2", LayerNorm(embedDim)))),
        };
        var totalBlocks = depths.Sum();
        var blockId = 0;
        for (var stage = 0; stage < depths.Count; stage++)
        {
            var dim = embedDim << stage;
            var blocks = new List<(string, Module<Tensor, Tensor>)>();
            for (var i = 0; i < depths[stage]; i++)
            {
                var dropProb = totalBlocks > 1 ? stochasticDepthProb * blockId / (totalBlocks - 1) : 0;
                blocks.Add(($"{i}", new SwinBlockV2(dim, 3 << stage, windowSize, i % 2 == 0 ? 0 : windowSize / 2, dropProb)));
                blockId++;
            }
            layers.Add(($"{layers.Count}", Sequential(blocks)));
            if (stage < depths.Count - 1) layers.Add(($"{layers.Count}", new PatchMergingV2(dim)));
        }
        features = Sequential(layers);
        FeatureChannels = embedDim << (depths.Count - 1);
        FeatureStride = patchSize << (depths.Count - 1);
        norm = LayerNorm(FeatureChannels);
        head = Linear(FeatureChannels, numClasses);
        RegisterComponents();

        using var _ = no_grad();
        foreach (var (_, m) in named_modules())
            if (m is Linear linear)
            {
                TruncatedNormal.Fill(linear.weight, std: 0.02);
                if (linear.bias is not null) init.zeros_(linear.bias);
            }
    }

    /// <summary>The last stage's output, channels last: [B, H/stride, W/stride, FeatureChannels].</summary>
    public Tensor Features(Tensor x) => features.call(x);

    public Tensor Head(Tensor features)
    {
        using var scope = NewDisposeScope();
        return head.call(norm.call(features).mean([1, 2])).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor x)
    {
        using var f = Features(x);
        return Head(f);
    }
}

/// <summary>torchvision's Permute([0, 2, 3, 1]): NCHW → NHWC.</summary>
sealed class ChannelsLast() : Module<Tensor, Tensor>("Permute")
{
    public override Tensor forward(Tensor x) => x.permute(0, 2, 3, 1);
}

sealed class PatchMergingV2 : Module<Tensor, Tensor>
{
    readonly Linear reduction;
    readonly LayerNorm norm;

    public PatchMergingV2(int dim) : base("PatchMergingV2")
    {
        reduction = Linear(4 * dim, 2 * dim, hasBias: false);
        norm = LayerNorm(2 * dim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (b, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        x = functional.pad(x, [0, 0, 0, w % 2, 0, h % 2]);
        var (h2, w2) = ((h + 1) / 2, (w + 1) / 2);
        // Same order as torchvision's cat([x[0::2, 0::2], x[1::2, 0::2], x[0::2, 1::2], x[1::2, 1::2]], -1).
        var merged = x.view(b, h2, 2, w2, 2, c).permute(0, 1, 3, 4, 2, 5).reshape(b, h2, w2, 4 * c);
        return norm.call(reduction.call(merged)).MoveToOuterDisposeScope();
    }
}

sealed class SwinBlockV2 : Module<Tensor, Tensor>
{
    readonly LayerNorm norm1;
    readonly ShiftedWindowAttentionV2 attn;
    readonly LayerNorm norm2;
    readonly Sequential mlp;
    readonly double _dropProb;

    public SwinBlockV2(int dim, int heads, int windowSize, int shiftSize, double dropProb) : base("SwinTransformerBlockV2")
    {
        norm1 = LayerNorm(dim);
        attn = new ShiftedWindowAttentionV2(dim, heads, windowSize, shiftSize);
        norm2 = LayerNorm(dim);
        mlp = Sequential(("0", Linear(dim, 4 * dim)), ("1", GELU()), ("2", Dropout(0)), ("3", Linear(4 * dim, dim)), ("4", Dropout(0)));
        _dropProb = dropProb;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.add(StochasticDepth(norm1.call(attn.call(input))), Scalars.One);
        return x.add(StochasticDepth(norm2.call(mlp.call(x))), Scalars.One).MoveToOuterDisposeScope();
    }

    /// <summary>torchvision's stochastic_depth(mode="row"): drops the whole branch per sample while training.</summary>
    Tensor StochasticDepth(Tensor branch)
    {
        if (!training || _dropProb == 0) return branch;

        var survival = 1 - _dropProb;
        var keep = empty([branch.shape[0], 1, 1, 1], dtype: branch.dtype, device: branch.device).bernoulli_(survival);
        return branch * keep.div_(Scalars.Of(survival));
    }
}

/// <summary>
/// torchvision's ShiftedWindowAttentionV2: cosine attention with a learned per-head logit scale and a
/// continuous relative position bias from a small MLP over log-spaced coordinates. As in torchvision 0.14,
/// the feature map is zero-padded to a multiple of the window and the shift is dropped along a side that
/// fits in one window.
/// </summary>
sealed class ShiftedWindowAttentionV2 : Module<Tensor, Tensor>
{
    readonly Linear qkv;
    readonly Linear proj;
    readonly Parameter logit_scale;
    readonly Sequential cpb_mlp;
    readonly Tensor relative_coords_table;
    readonly Tensor relative_position_index;
    readonly int _heads, _window, _shift;

    static readonly double MaxLogitScale = Math.Log(100.0);

    public ShiftedWindowAttentionV2(int dim, int heads, int window, int shift) : base("ShiftedWindowAttentionV2")
    {
        (_heads, _window, _shift) = (heads, window, shift);
        qkv = Linear(dim, 3 * dim);
        proj = Linear(dim, dim);
        logit_scale = new Parameter(log(full(heads, 1, 1, Scalars.Of(10f))));
        cpb_mlp = Sequential(("0", Linear(2, 512)), ("1", ReLU(inplace: true)), ("2", Linear(512, heads, hasBias: false)));
        relative_coords_table = CoordsTable(window);
        relative_position_index = PositionIndex(window);
        RegisterComponents();
    }

    /// <summary>[1, 2w−1, 2w−1, 2]: relative offsets scaled to ±8, then sign·log2(1+|x|)/3.</summary>
    static Tensor CoordsTable(int w)
    {
        var span = 2 * w - 1;
        var table = new float[span * span * 2];
        for (var i = 0; i < span; i++)
            for (var j = 0; j < span; j++)
            {
                table[(i * span + j) * 2] = LogSpaced((i - (w - 1)) / (float)(w - 1) * 8);
                table[(i * span + j) * 2 + 1] = LogSpaced((j - (w - 1)) / (float)(w - 1) * 8);
            }
        return tensor(table).view(1, span, span, 2);

        static float LogSpaced(float x) => MathF.Sign(x) * MathF.Log2(MathF.Abs(x) + 1f) / 3f;
    }

    /// <summary>[w⁴]: for each (query, key) pair of a window, the row of the bias table for their offset.</summary>
    static Tensor PositionIndex(int w)
    {
        var n = w * w;
        var index = new long[n * n];
        for (var a = 0; a < n; a++)
            for (var b = 0; b < n; b++)
                index[a * n + b] = (a / w - b / w + w - 1) * (2 * w - 1) + (a % w - b % w + w - 1);
        return tensor(index);
    }

    Tensor RelativePositionBias()
    {
        var n = _window * _window;
        var table = cpb_mlp.call(relative_coords_table).view(-1, _heads);
        var bias = table.index_select(0, relative_position_index).view(n, n, -1).permute(2, 0, 1).unsqueeze(0);
        return sigmoid(bias).mul(Scalars.Of(16));
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var (b, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3]);
        var ws = _window;
        var padR = (ws - w % ws) % ws;
        var padB = (ws - h % ws) % ws;
        var x = functional.pad(input, [0, 0, 0, padR, 0, padB]);
        var (padH, padW) = ((int)(h + padB), (int)(w + padR));
        var shiftH = ws >= padH ? 0 : _shift;
        var shiftW = ws >= padW ? 0 : _shift;
        var shifted = shiftH + shiftW > 0;
        if (shifted) x = x.roll([-shiftH, -shiftW], [1, 2]);

        var windows = padH / ws * (padW / ws);
        var tokens = ws * ws;
        x = x.view(b, padH / ws, ws, padW / ws, ws, c).permute(0, 1, 3, 2, 4, 5).reshape(b * windows, tokens, c);

        // V2 leaves the key bias at zero in every forward pass.
        var bias = qkv.bias!;
        var qkvBias = cat([bias.narrow(0, 0, c), zeros(c, dtype: bias.dtype, device: bias.device), bias.narrow(0, 2 * c, c)]);
        var projected = functional.linear(x, qkv.weight, qkvBias)
            .reshape(x.shape[0], tokens, 3, _heads, c / _heads).permute(2, 0, 3, 1, 4);
        var (q, k, v) = (projected[0], projected[1], projected[2]);
        var attn = functional.normalize(q, dim: -1).matmul(functional.normalize(k, dim: -1).transpose(-2, -1));
        attn = (attn * logit_scale.clamp(max: Scalars.Of(MaxLogitScale)).exp()).add(RelativePositionBias(), Scalars.One);
        if (shifted)
        {
            var mask = ShiftMask(padH, padW, shiftH, shiftW).to(attn.device);
            attn = attn.view(b, windows, _heads, tokens, tokens).add(mask.unsqueeze(1).unsqueeze(0), Scalars.One)
                .view(-1, _heads, tokens, tokens);
        }
        attn = softmax(attn, -1);
        x = proj.call(attn.matmul(v).transpose(1, 2).reshape(x.shape[0], tokens, c));

        x = x.view(b, padH / ws, padW / ws, ws, ws, c).permute(0, 1, 3, 2, 4, 5).reshape(b, padH, padW, c);
        if (shifted) x = x.roll([shiftH, shiftW], [1, 2]);
        return x.narrow(1, 0, h).narrow(2, 0, w).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// [windows, T, T]: −100 between tokens that came from different regions before the cyclic shift.
    /// Regions follow torchvision's slices (0:−w, −w:−s, −s:) with Python's meaning of a zero shift.
    /// </summary>
    Tensor ShiftMask(int padH, int padW, int shiftH, int shiftW)
    {
        var ws = _window;
        var region = new int[padH, padW];
        var count = 0;
        foreach (var (h0, h1) in Slices(padH, shiftH))
            foreach (var (w0, w1) in Slices(padW, shiftW))
            {
                for (var i = h0; i < h1; i++)
                    for (var j = w0; j < w1; j++)
                        region[i, j] = count;
                count++;
            }
        var (rows, cols, tokens) = (padH / ws, padW / ws, ws * ws);
        var mask = new float[rows * cols * tokens * tokens];
        for (var r = 0; r < rows; r++)
            for (var cIdx = 0; cIdx < cols; cIdx++)
            {
                var offset = (r * cols + cIdx) * tokens * tokens;
                for (var a = 0; a < tokens; a++)
                    for (var bIdx = 0; bIdx < tokens; bIdx++)
                        if (region[r * ws + a / ws, cIdx * ws + a % ws] != region[r * ws + bIdx / ws, cIdx * ws + bIdx % ws])
                            mask[offset + a * tokens + bIdx] = -100f;
            }
        return tensor(mask).view(rows * cols, tokens, tokens);

        (int, int)[] Slices(int size, int shift) =>
        [
            (0, size - ws),
            (size - ws, shift == 0 ? 0 : size - shift),
            (shift == 0 ? 0 : size - shift, size),
        ];
    }
}
