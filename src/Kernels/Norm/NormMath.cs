namespace SparseCore.Kernels.Norm;

/// <summary>The per-channel scalar steps of batch-norm, shared by the CPU loops and the ILGPU kernels.</summary>
public static class NormMath
{
    public static float Rstd(float variance, float eps) => 1f / MathF.Sqrt(variance + eps);

    /// <summary>PyTorch's running-statistic update: (1 − momentum)·running + momentum·stat.</summary>
    public static float Running(float running, float stat, float momentum) => (1f - momentum) * running + momentum * stat;

    /// <summary>The unbiased variance from the biased one over <paramref name="count"/> values (count ≥ 2).</summary>
    public static float Unbiased(float variance, int count) => variance * ((float)count / (count - 1));
}
