namespace SparseCore.Kernels.Norm;

/// <summary>Batch-norm over x viewed as [N, C, Spatial] (Spatial = H·W): statistics per channel over N·Spatial values.</summary>
public readonly record struct BatchNormShape(int N, int C, int Spatial)
{
    /// <summary>Values per channel, the count the statistics are taken over.</summary>
    public int PerChannel => N * Spatial;
    public long Size => (long)N * C * Spatial;

    internal void Validate(string op, bool training)
    {
        if (N <= 0 || C <= 0 || Spatial <= 0)
            throw new ArgumentException($"{op}: extents must be positive, got N={N}, C={C}, Spatial={Spatial}");
        if (Size > int.MaxValue)
            throw new ArgumentException($"{op}: {this} has more than {int.MaxValue} elements");
        // As PyTorch: the unbiased variance of one value is undefined.
        if (training && PerChannel < 2)
            throw new ArgumentException($"{op}: training needs more than one value per channel, got N={N} × Spatial={Spatial}");
    }
}
