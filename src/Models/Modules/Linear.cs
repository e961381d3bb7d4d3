using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>y = x·Wᵀ + b, W [out, in]; PyTorch's default init, U(±1/√in) for both.</summary>
public sealed class Linear : Module
{
    public Linear(ModuleInit init, int inFeatures, int outFeatures, bool bias = true)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentException($"Linear: features must be positive, got in={inFeatures}, out={outFeatures}");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        float bound = 1f / MathF.Sqrt(inFeatures);
        Weight = AddParameter("weight", init.Uniform(new Shape(outFeatures, inFeatures), bound));
        Bias = bias ? AddParameter("bias", init.Uniform(new Shape(outFeatures), bound)) : null;
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Parameter Weight { get; }
    public Parameter? Bias { get; }

    public override Tensor Forward(Tensor x) => F.Linear(x, Weight.Value, Bias?.Value);
}
