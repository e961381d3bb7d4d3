namespace SparseCore.Kernels.Random;

public enum RandomDistribution
{
    /// <summary>Uniform on [A, B).</summary>
    Uniform,
    /// <summary>Normal with mean A and standard deviation B.</summary>
    Normal,
    /// <summary>1 with probability A, else 0 (dropout keep masks).</summary>
    Bernoulli,
}
