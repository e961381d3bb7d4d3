namespace SparseCore.Bench.Conv;

/// <summary>
/// One case of the conv-forms suite, parsed from its two string parameters (strings, so the
/// default out-of-process toolchain can pass them): the ResNet layer "C64-32x32" (C→C channels at
/// 32×32, batch 64, 3×3, stride 1, padding 1) and the variant — "dense", "masked-dense", "ort",
/// or "{gather|compact}-{out|both|all}-{percent}" (out: output channels pruned; both: input and
/// output; all: the 100 % case, nothing pruned).
/// </summary>
public sealed record ConvVariant(int Channels, int Size, string Form, string Scope, int Percent)
{
    public const int Batch = 64;

    public static ConvVariant Parse(string shape, string variant)
    {
        var dims = shape[1..].Split('-', 'x');
        int channels = int.Parse(dims[0]), size = int.Parse(dims[1]);
        var parts = variant.Split('-');
        return parts.Length == 3
            ? new ConvVariant(channels, size, parts[0], parts[1], int.Parse(parts[2]))
            : new ConvVariant(channels, size, variant, "all", 100);
    }

    /// <summary>Whether the work is the kept channels' (gather, compact) rather than the full layer's.</summary>
    public bool IsPruned => Form is "gather" or "compact";

    /// <summary>Kept channels of a pruned axis: the ratio of C rounded, at least 1.</summary>
    public int Kept => Math.Max(1, (int)Math.Round(Channels * Percent / 100.0));

    public int KeptOut => IsPruned ? Kept : Channels;
    public int KeptIn => IsPruned && Scope == "both" ? Kept : Channels;

    /// <summary>2·N·Cout·Cin·9·H·W of the full layer.</summary>
    public double DenseFlops => 2.0 * Batch * Channels * Channels * 9 * Size * Size;

    /// <summary>The FLOPs this variant has to do: the kept channels' for gather and compact, the full layer's otherwise.</summary>
    public double Flops => 2.0 * Batch * KeptOut * KeptIn * 9 * Size * Size;

    /// <summary>Ideal speedup over dense: dense FLOPs / kept FLOPs (1/r for output pruning, 1/r² for both, r the rounded ratio).</summary>
    public double IdealSpeedup => DenseFlops / Flops;
}
