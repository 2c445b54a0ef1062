using Repro.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Repro.Models;

/// <summary>The last encoder block's attention, captured in one forward pass (no files, no hooks).</summary>
/// <param name="Attention">softmax(q·kᵀ/√d) per head: [B, heads, T, T], token 0 is the class token.</param>
/// <param name="Queries">Projected queries: [B, heads, T, head_dim].</param>
/// <param name="Keys">Projected keys: [B, heads, T, head_dim] (LOST's features).</param>
/// <param name="Values">Projected values: [B, heads, T, head_dim].</param>
/// <param name="Logits">The model's output for the same input: [B, classes].</param>
/// <param name="GridHeight">Patch rows of the input (T = 1 + GridHeight × GridWidth).</param>
/// <param name="GridWidth">Patch columns of the input.</param>
public sealed record ViTAttentionCapture(Tensor Attention, Tensor Queries, Tensor Keys, Tensor Values, Tensor Logits,
    int GridHeight, int GridWidth) : IDisposable
{
    public void Dispose()
    {
        Attention.Dispose();
        Queries.Dispose();
        Keys.Dispose();
        Values.Dispose();
        Logits.Dispose();
    }
}

/// <summary>How position embeddings are resampled to a patch grid other than the one they were trained for.</summary>
public enum PositionEmbeddingResampling
{
    /// <summary>
    /// Bicubic, align_corners = false: each new patch takes the embedding at the image position its footprint covers,
    /// the same pixel-area convention as the suite's image resizing.
    /// </summary>
    PatchFootprints,
    /// <summary>
    /// Bicubic, align_corners = true: torchvision's interpolate_embeddings, which the authors' copy in
    /// vision_transformer.py extends to non-square grids and main_lost.py's interpolate_vit uses for LOST.
    /// </summary>
    Torchvision,
}

/// <summary>
/// torchvision's VisionTransformer with identical parameter names and shapes (conv_proj, class_token,
/// encoder.pos_embedding, encoder.layers.encoder_layer_N.{ln_1, self_attention.in_proj_weight, in_proj_bias,
/// out_proj, ln_2, mlp.0, mlp.3}, encoder.ln, heads.head) and torchvision's initialisation. Unlike torchvision
/// it accepts any input whose sides are multiples of the patch size: the position embeddings are then
/// resampled to the input's patch grid (bicubic, class token kept apart; <see cref="PositionEmbeddingResampling"/>).
/// </summary>
public sealed class VisionTransformer : Module<Tensor, Tensor>
{
    readonly Conv2d conv_proj;
    readonly Parameter class_token;
    readonly ViTEncoder encoder;
    readonly Sequential heads;

    public int PatchSize { get; }
    public int HiddenDim { get; }
    public int NumHeads { get; }
    /// <summary>Patches per side of the image size the position embeddings were made for.</summary>
    public int GridSize { get; }
    /// <summary>How <see cref="PositionEmbedding"/> resamples for another grid; training never does (its inputs are the training grid).</summary>
    public PositionEmbeddingResampling Resampling { get; set; } = PositionEmbeddingResampling.PatchFootprints;

    public VisionTransformer(string name, int imageSize, int patchSize, int numLayers, int numHeads, int hiddenDim,
        int mlpDim, int numClasses) : base(name)
    {
        if (imageSize % patchSize != 0)
            throw new ArgumentException($"image size {imageSize} is not a multiple of the patch size {patchSize}");
        if (hiddenDim % numHeads != 0)
            throw new ArgumentException($"hidden size {hiddenDim} is not a multiple of the head count {numHeads}");
        PatchSize = patchSize;
        HiddenDim = hiddenDim;
        NumHeads = numHeads;
        GridSize = imageSize / patchSize;

        conv_proj = Conv2d(3, hiddenDim, patchSize, stride: patchSize);
        class_token = new Parameter(zeros(1, 1, hiddenDim));
        encoder = new ViTEncoder(GridSize * GridSize + 1, numLayers, numHeads, hiddenDim, mlpDim);
        heads = Sequential(("head", Linear(hiddenDim, numClasses)));
        RegisterComponents();

        using var _ = no_grad();
        var fanIn = 3.0 * patchSize * patchSize;
        TruncatedNormal.Fill(conv_proj.weight, std: Math.Sqrt(1 / fanIn));
        init.zeros_(conv_proj.bias!);
        var head = (Linear)heads[0];
        init.zeros_(head.weight);
        init.zeros_(head.bias!);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var tokens = encoder.call(Embed(x, out _, out _));
        return heads.call(tokens.select(1, 0)).MoveToOuterDisposeScope();
    }

    /// <summary>The encoder's output tokens (after the final LayerNorm): [B, 1 + patches, hidden].</summary>
    public Tensor Tokens(Tensor x)
    {
        using var scope = NewDisposeScope();
        return encoder.call(Embed(x, out _, out _)).MoveToOuterDisposeScope();
    }

    /// <summary>Runs the model once and returns the last block's attention and projected q/k/v with the logits.</summary>
    public ViTAttentionCapture LastBlockAttention(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = LastBlockInput(x, out var gridH, out var gridW);
        var last = encoder.Blocks[^1];
        var (q, k, v) = last.Attention.Project(last.NormBeforeAttention(h));
        var attention = softmax(q.matmul(k.transpose(-2, -1)).div(Scalars.Of(Math.Sqrt(q.shape[^1]))), -1);
        h = last.call(h);
        var logits = heads.call(encoder.FinalNorm(h).select(1, 0));
        return new ViTAttentionCapture(attention.MoveToOuterDisposeScope(), q.MoveToOuterDisposeScope(),
            k.MoveToOuterDisposeScope(), v.MoveToOuterDisposeScope(), logits.MoveToOuterDisposeScope(), gridH, gridW);
    }

    /// <summary>
    /// The last block's projected keys of the patch tokens, heads concatenated (head-major), as LOST reads them:
    /// [B, patches, hidden], class token removed, row-major grid order.
    /// </summary>
    public Tensor LastBlockKeys(Tensor x)
    {
        using var scope = NewDisposeScope();
        var last = encoder.Blocks[^1];
        var (_, k, _) = last.Attention.Project(last.NormBeforeAttention(LastBlockInput(x, out _, out _)));
        var patches = k.shape[2] - 1;
        return k.narrow(2, 1, patches).transpose(1, 2).reshape(k.shape[0], patches, -1).MoveToOuterDisposeScope();
    }

    Tensor LastBlockInput(Tensor x, out int gridH, out int gridW)
    {
        var h = Embed(x, out gridH, out gridW);
        var blocks = encoder.Blocks;
        for (var i = 0; i < blocks.Count - 1; i++) h = blocks[i].call(h);
        return h;
    }

    /// <summary>
    /// Position embeddings for a patch grid of <paramref name="gridHeight"/> × <paramref name="gridWidth"/>:
    /// the stored ones when the grid is the training grid, else the patch part resampled bicubically as
    /// <see cref="Resampling"/> says, with the class-token embedding kept as it is. [1, 1 + gridHeight·gridWidth, hidden].
    /// </summary>
    public Tensor PositionEmbedding(int gridHeight, int gridWidth)
    {
        var stored = encoder.PositionEmbedding;
        if (gridHeight == GridSize && gridWidth == GridSize) return stored.alias();
        using var scope = NewDisposeScope();
        var cls = stored.narrow(1, 0, 1);
        var grid = stored.narrow(1, 1, GridSize * GridSize)
            .reshape(1, GridSize, GridSize, HiddenDim).permute(0, 3, 1, 2);
        var resampled = functional.interpolate(grid, [gridHeight, gridWidth], mode: InterpolationMode.Bicubic,
            align_corners: Resampling == PositionEmbeddingResampling.Torchvision);
        var patches = resampled.permute(0, 2, 3, 1).reshape(1, gridHeight * gridWidth, HiddenDim);
        return cat([cls, patches], 1).MoveToOuterDisposeScope();
    }

    /// <summary>Patch embedding + class token + position embedding: [B, 1 + patches, hidden].</summary>
    Tensor Embed(Tensor x, out int gridH, out int gridW)
    {
        var (height, width) = (x.shape[2], x.shape[3]);
        if (height % PatchSize != 0 || width % PatchSize != 0)
            throw new ArgumentException(
                $"input is {height}×{width}; both sides must be multiples of the patch size {PatchSize} (zero-pad the image first)");
        gridH = (int)(height / PatchSize);
        gridW = (int)(width / PatchSize);
        var patches = conv_proj.call(x).flatten(2).transpose(1, 2);
        var tokens = cat([class_token.expand(x.shape[0], -1, -1), patches], 1);
        return tokens.add(PositionEmbedding(gridH, gridW), Scalars.One);
    }
}

sealed class ViTEncoder : Module<Tensor, Tensor>
{
    readonly Parameter pos_embedding;
    readonly Sequential layers;
    readonly LayerNorm ln;

    public ViTEncoder(int sequenceLength, int numLayers, int numHeads, int hiddenDim, int mlpDim) : base("Encoder")
    {
        pos_embedding = new Parameter(empty(1, sequenceLength, hiddenDim));
        layers = Sequential(Enumerable.Range(0, numLayers)
            .Select(i => ($"encoder_layer_{i}", (Module<Tensor, Tensor>)new ViTEncoderBlock(numHeads, hiddenDim, mlpDim))));
        ln = LayerNorm(hiddenDim, eps: 1e-6);
        RegisterComponents();
        using var _ = no_grad();
        init.normal_(pos_embedding, std: 0.02);
    }

    public Parameter PositionEmbedding => pos_embedding;
    public IReadOnlyList<ViTEncoderBlock> Blocks => layers.children().Cast<ViTEncoderBlock>().ToList();
    public Tensor FinalNorm(Tensor x) => ln.call(x);

    /// <summary>Takes tokens that already carry their position embedding.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return ln.call(layers.call(x)).MoveToOuterDisposeScope();
    }
}

sealed class ViTEncoderBlock : Module<Tensor, Tensor>
{
    readonly LayerNorm ln_1;
    readonly FusedSelfAttention self_attention;
    readonly LayerNorm ln_2;
    readonly Sequential mlp;

    public ViTEncoderBlock(int numHeads, int hiddenDim, int mlpDim) : base("EncoderBlock")
    {
        ln_1 = LayerNorm(hiddenDim, eps: 1e-6);
        self_attention = new FusedSelfAttention(hiddenDim, numHeads);
        ln_2 = LayerNorm(hiddenDim, eps: 1e-6);
        var fc1 = Linear(hiddenDim, mlpDim);
        var fc2 = Linear(mlpDim, hiddenDim);
        // torchvision's MLPBlock names its layers 0..4 (Linear, GELU, Dropout, Linear, Dropout); dropout is 0 here.
        mlp = Sequential(("0", fc1), ("1", GELU()), ("2", Dropout(0)), ("3", fc2), ("4", Dropout(0)));
        RegisterComponents();
        using var _ = no_grad();
        foreach (var fc in new[] { fc1, fc2 })
        {
            init.xavier_uniform_(fc.weight);
            init.normal_(fc.bias!, std: 1e-6);
        }
    }

    public FusedSelfAttention Attention => self_attention;
    public Tensor NormBeforeAttention(Tensor x) => ln_1.call(x);

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = self_attention.call(ln_1.call(input)).add(input, Scalars.One);
        return x.add(mlp.call(ln_2.call(x)), Scalars.One).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// torch.nn.MultiheadAttention used as self-attention with batch-first input: a fused in-projection held as
/// raw parameters (in_proj_weight [3·hidden, hidden], in_proj_bias) and an out_proj Linear.
/// </summary>
public sealed class FusedSelfAttention : Module<Tensor, Tensor>
{
    readonly Parameter in_proj_weight;
    readonly Parameter in_proj_bias;
    readonly Linear out_proj;
    readonly int _heads;

    public FusedSelfAttention(int hiddenDim, int numHeads) : base("MultiheadAttention")
    {
        _heads = numHeads;
        in_proj_weight = new Parameter(empty(3 * hiddenDim, hiddenDim));
        in_proj_bias = new Parameter(zeros(3 * hiddenDim));
        out_proj = Linear(hiddenDim, hiddenDim);
        RegisterComponents();
        using var _ = no_grad();
        init.xavier_uniform_(in_proj_weight);
        init.zeros_(out_proj.bias!);
    }

    /// <summary>in_proj_weight: the query, key and value projections stacked, [3·hidden, hidden].</summary>
    public Parameter InProjectionWeight => in_proj_weight;

    /// <summary>Queries, keys and values, each [B, heads, T, head_dim].</summary>
    public (Tensor Q, Tensor K, Tensor V) Project(Tensor x)
    {
        var (batch, tokens, hidden) = (x.shape[0], x.shape[1], x.shape[2]);
        var qkv = functional.linear(x, in_proj_weight, in_proj_bias)
            .view(batch, tokens, 3, _heads, hidden / _heads).permute(2, 0, 3, 1, 4);
        return (qkv[0], qkv[1], qkv[2]);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (q, k, v) = Project(x);
        var attended = functional.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(x.shape);
        return out_proj.call(attended).MoveToOuterDisposeScope();
    }
}
