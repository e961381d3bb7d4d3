using SparseCore.Models.Flops;
using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>torch.nn.LayerNorm over the last axis: weight (ones) and bias (zeros) of that extent.</summary>
public sealed class LayerNorm : Module
{
    public LayerNorm(ModuleInit init, int features, float eps = 1e-5f)
    {
        if (features <= 0) throw new ArgumentException($"LayerNorm: features must be positive, got {features}");
        if (!(eps > 0)) throw new ArgumentException($"LayerNorm: eps must be positive, got {eps}");
        Features = features;
        Eps = eps;
        Weight = AddParameter("weight", init.Constant(new Shape(features), 1f));
        Bias = AddParameter("bias", init.Constant(new Shape(features), 0f));
    }

    public int Features { get; }
    public float Eps { get; }
    public Parameter Weight { get; }
    public Parameter Bias { get; }

    protected override Tensor ForwardCore(Tensor x) => F.LayerNorm(x, Weight.Value, Bias.Value, Eps);

    public override Shape Trace(Shape input, ShapeTrace trace)
    {
        if (input.Rank < 1 || input[-1] > Features)
            throw new TensorShapeException($"LayerNorm '{trace.Name}'", $"needs [..., ≤{Features}], got {input}");
        trace.Record("layernorm", input, input, 2L * input[-1], 0);
        return input;
    }
}
