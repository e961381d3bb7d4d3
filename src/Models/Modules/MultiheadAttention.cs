using SparseCore.Models.Flops;
using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>
/// torch.nn.MultiheadAttention as self-attention (batch_first): in_proj_weight [3E, E] (q, k, v
/// rows, Xavier-uniform), in_proj_bias [3E] (zeros), out_proj.weight [E, E] (Linear's default) and
/// out_proj.bias [E] (zeros) — PyTorch's initialisation.
/// </summary>
public sealed class MultiheadAttention : Module
{
    public MultiheadAttention(ModuleInit init, int embedDim, int heads)
    {
        if (embedDim <= 0 || heads <= 0 || embedDim % heads != 0)
            throw new ArgumentException($"MultiheadAttention: {heads} heads must divide the embedding size {embedDim}");
        EmbedDim = embedDim;
        Heads = heads;
        InProjWeight = AddParameter("in_proj_weight", init.Uniform(new Shape(3 * embedDim, embedDim), MathF.Sqrt(6f / (4 * embedDim))));
        InProjBias = AddParameter("in_proj_bias", init.Constant(new Shape(3 * embedDim), 0f));
        var bound = 1f / MathF.Sqrt(embedDim);
        OutProj = AddModule("out_proj", new Linear(init.Uniform(new Shape(embedDim, embedDim), bound), init.Constant(new Shape(embedDim), 0f)));
    }

    public int EmbedDim { get; }
    public int Heads { get; }
    public Parameter InProjWeight { get; }
    public Parameter InProjBias { get; }
    public Linear OutProj { get; }

    /// <summary>x [B, T, E] attends to itself → [B, T, E].</summary>
    protected override Tensor ForwardCore(Tensor x) =>
        F.MultiHeadAttention(x, InProjWeight.Value, InProjBias.Value, OutProj.Weight.Value, OutProj.Bias?.Value, Heads);

    /// <summary>
    /// The four projections are linear MACs (3·T·E² in, T·E² out); q·kᵀ and weights·v are
    /// T²·E each, recorded as attention MACs.
    /// </summary>
    public override Shape Trace(Shape input, ShapeTrace trace)
    {
        if (input.Rank != 3 || input[2] > EmbedDim)
            throw new TensorShapeException($"MultiheadAttention '{trace.Name}'", $"needs [B, T, ≤{EmbedDim}], got {input}");
        long b = input[0], t = input[1], e = input[2];
        trace.Record("attention", input, input, 4 * e * e + 4 * e, b * t * 4 * e * e, b * 2 * t * t * e);
        return input;
    }
}
