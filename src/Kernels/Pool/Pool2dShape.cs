namespace SparseCore.Kernels.Pool;

/// <summary>
/// A square 2-d pooling window over NCHW planes, with PyTorch's floor-mode output extent
/// OutH = (H + 2·Padding − Kernel) / Stride + 1. Padding is at most Kernel / 2 (as PyTorch
/// requires), so every window holds at least one real element and ends inside the padded plane.
/// </summary>
public readonly record struct Pool2dShape(int N, int C, int H, int W, int Kernel, int Stride, int Padding)
{
    public int OutH => (H + 2 * Padding - Kernel) / Stride + 1;
    public int OutW => (W + 2 * Padding - Kernel) / Stride + 1;
    public int Planes => N * C;
    public long InputSize => (long)N * C * H * W;
    public long OutputSize => (long)N * C * OutH * OutW;

    /// <summary>
    /// The outputs whose window along one axis covers input coordinate i: [lo, hi] (empty when lo &gt; hi).
    /// Window o spans [o·Stride − Padding, o·Stride − Padding + Kernel).
    /// </summary>
    public static void Covering(int i, int kernel, int stride, int padding, int outExtent, out int lo, out int hi)
    {
        int first = i + padding - kernel + 1;
        lo = first <= 0 ? 0 : (first + stride - 1) / stride;
        hi = (i + padding) / stride;
        if (hi > outExtent - 1) hi = outExtent - 1;
    }

    /// <summary>What is wrong with this shape (fields named), or null when it is valid.</summary>
    public string? Problem()
    {
        if (N <= 0 || C <= 0 || H <= 0 || W <= 0)
            return $"extents must be positive, got N={N}, C={C}, H={H}, W={W}";
        if (Kernel <= 0 || Stride <= 0)
            return $"Kernel and Stride must be positive, got Kernel={Kernel}, Stride={Stride}";
        if (Padding < 0 || Padding > Kernel / 2)
            return $"Padding must be in [0, Kernel/2 = {Kernel / 2}], got Padding={Padding} with Kernel={Kernel}";
        if (Kernel > H + 2 * Padding || Kernel > W + 2 * Padding)
            return $"Kernel={Kernel} is larger than the padded input (H={H}, W={W}, Padding={Padding} give {H + 2 * Padding}×{W + 2 * Padding})";
        if (InputSize > int.MaxValue || OutputSize > int.MaxValue)
            return $"{this} has more than {int.MaxValue} elements";
        return null;
    }

    internal void Validate(string op)
    {
        if (Problem() is string problem) throw new ArgumentException($"{op}: {problem}");
    }
}
