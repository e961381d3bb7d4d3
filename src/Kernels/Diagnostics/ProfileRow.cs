namespace SparseCore.Kernels.Diagnostics;

/// <summary>
/// One line of a profile: a kernel family (or the bookkeeping of a region when <see cref="Family"/>
/// is null) inside a region such as "forward" or "backward". Seconds are exclusive: a region's own
/// row holds only the time none of its kernels or sub-regions account for — autograd and
/// allocation bookkeeping, validation, the loop itself.
/// </summary>
public sealed record ProfileRow(string Region, OpFamily? Family, long Calls, double Seconds, double Flops, double Bytes)
{
    /// <summary>What the row names: "backward · conv weight-gradient", or "forward · bookkeeping".</summary>
    public string Label => Family is { } f ? $"{Region} · {f.Label()}" : $"{Region} · bookkeeping (autograd, allocation, host)";

    /// <summary>Achieved GFLOP/s when the row counts floating-point work, else null.</summary>
    public double? Gflops => Flops > 0 && Seconds > 0 ? Flops / Seconds / 1e9 : null;

    /// <summary>Achieved GB/s (each operand read or written once) when the row counts no FLOPs.</summary>
    public double? GBps => Flops == 0 && Bytes > 0 && Seconds > 0 ? Bytes / Seconds / 1e9 : null;
}
