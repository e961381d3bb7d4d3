namespace SparseCore.Kernels.Optim;

/// <summary>PyTorch's AdamW (decoupled weight decay). Step counts from 1.</summary>
public readonly record struct AdamWHyper(
    float Lr, float Beta1 = 0.9f, float Beta2 = 0.999f, float Eps = 1e-8f,
    float WeightDecay = 1e-2f, int Step = 1)
{
    public float BiasCorrection1 => 1f - MathF.Pow(Beta1, Step);
    public float BiasCorrection2 => 1f - MathF.Pow(Beta2, Step);
}
