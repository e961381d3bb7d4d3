namespace SparseCore.Kernels.Norm;

/// <summary>Batch-norm over x viewed as [N, C, Spatial] (Spatial = H·W): statistics per channel over N·Spatial values.</summary>
public readonly record struct BatchNormShape(int N, int C, int Spatial)
{
    /// <summary>Values per channel, the count the statistics are taken over.</summary>
    public int PerChannel => N * Spatial;
    public long Size => (long)N * C * Spatial;

    /// <summary>What is wrong with this shape (fields named), or null when it is valid.</summary>
    public string? Problem(bool training)
    {
        if (N <= 0 || C <= 0 || Spatial <= 0)
            return $"extents must be positive, got N={N}, C={C}, Spatial={Spatial}";
        if (Size > int.MaxValue)
            return $"{this} has more than {int.MaxValue} elements";
        // As PyTorch: the unbiased variance of one value is undefined.
        if (training && PerChannel < 2)
            return $"training needs more than one value per channel, got N={N} × Spatial={Spatial}";
        return null;
    }

    internal void Validate(string op, bool training)
    {
        if (Problem(training) is string problem) throw new ArgumentException($"{op}: {problem}");
    }
}
