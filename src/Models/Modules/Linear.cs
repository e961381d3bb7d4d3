using SparseCore.Models.Flops;
using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>
/// y = x·Wᵀ + b over the last axis of x ([..., in] → [..., out]), W [out, in] as torch.nn.Linear
/// stores it.
/// </summary>
public sealed class Linear : Module, IMaskableWeight
{
    /// <summary>PyTorch's default init, U(±1/√in) for weight and bias.</summary>
    public Linear(ModuleInit init, int inFeatures, int outFeatures, bool bias = true)
        : this(init.Uniform(new Shape(CheckFeatures(inFeatures, outFeatures), inFeatures), 1f / MathF.Sqrt(inFeatures)),
               bias ? init.Uniform(new Shape(outFeatures), 1f / MathF.Sqrt(inFeatures)) : null)
    {
    }

    /// <summary>Takes ownership of already-initialised weight [out, in] and bias [out] (other init schemes).</summary>
    public Linear(Tensor weight, Tensor? bias)
    {
        if (weight.Rank != 2 || (bias is not null && bias.Shape != new Shape(weight.Shape[0])))
            throw TensorShapeException.Mismatch("Linear", weight.Shape, bias?.Shape ?? new Shape(), "needs weight [out, in] and bias [out]");
        InFeatures = weight.Shape[1];
        OutFeatures = weight.Shape[0];
        Weight = AddParameter("weight", weight);
        Bias = bias is null ? null : AddParameter("bias", bias);
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Parameter Weight { get; }
    public Parameter? Bias { get; }

    public int FanIn => InFeatures;

    public Func<Tensor, Tensor>? WeightView { get; set; }

    public Func<Tensor, Tensor>? ForwardReplacement { get; set; }

    protected override Tensor ForwardCore(Tensor x)
    {
        if (ForwardReplacement is { } replaced) return replaced(x);
        var weight = WeightView?.Invoke(Weight.Value) ?? Weight.Value;
        if (x.Rank == 2) return F.Linear(x, weight, Bias?.Value);
        if (x.Rank < 2) throw TensorShapeException.Mismatch("Linear", x.Shape, Weight.Value.Shape, "needs x [..., in] with a leading axis");
        var dims = x.Shape.Dims.ToArray();
        var rows = F.Reshape(x, new Shape(x.Shape.Product(0, x.Rank - 1), dims[^1]));
        dims[^1] = OutFeatures;
        return F.Reshape(F.Linear(rows, weight, Bias?.Value), new Shape(dims));
    }

    public override Shape Trace(Shape input, ShapeTrace trace)
    {
        if (input.Rank < 2 || input[-1] > InFeatures)
            throw new TensorShapeException($"Linear '{trace.Name}'", $"needs [..., ≤{InFeatures}], got {input}");
        int inF = input[-1], outF = trace.KeptOutputs(OutFeatures);
        var dims = input.Dims.ToArray();
        dims[^1] = outF;
        long rows = input.Product(0, input.Rank - 1);
        trace.Record("linear", input, new Shape(dims), (long)outF * inF + (Bias is null ? 0 : outF), rows * inF * outF);
        return new Shape(dims);
    }

    private static int CheckFeatures(int inFeatures, int outFeatures) =>
        inFeatures > 0 && outFeatures > 0 ? outFeatures
        : throw new ArgumentException($"Linear: features must be positive, got in={inFeatures}, out={outFeatures}");
}
