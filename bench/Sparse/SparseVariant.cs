namespace SparseCore.Bench.Sparse;

/// <summary>
/// One case of the weight-sparsity suite, from its two string parameters: the layer "C64-32x32"
/// (C→C channels at 32×32, batch 64, 3×3, stride 1, padding 1) and the variant — "dense";
/// "sparse-{percent}" (the sparse-weight conv with that share of the weights kept, at random);
/// "sparse-vpns" (the share a VPNs run kept in that layer group, ResNet-20's shapes only); or
/// "compact-{percent}" (the dense conv of a layer whose output channels were pruned to keep that
/// share of the MACs: channel sparsity at the same kept work).
/// </summary>
public sealed record SparseVariant(int Channels, int Size, string Form, double Density)
{
    public const int Batch = 64;

    /// <summary>The three ResNet layers of the conv-forms suite, then ResNet-20's own three stages at 28 px.</summary>
    public static readonly string[] Shapes = ["C64-32x32", "C128-16x16", "C256-8x8", "C16-28x28", "C32-14x14", "C64-7x7"];

    public static readonly int[] Percents = [50, 30, 20, 10, 5, 2, 1];

    public static SparseVariant Parse(string shape, string variant, Func<int, double>? vpnsDensity = null)
    {
        var dims = shape[1..].Split('-', 'x');
        int channels = int.Parse(dims[0]), size = int.Parse(dims[1]);
        var parts = variant.Split('-');
        return parts switch
        {
            ["dense"] => new(channels, size, "dense", 1),
            ["sparse", "vpns"] => new(channels, size, "sparse", vpnsDensity?.Invoke(channels) ?? double.NaN) { FromVpns = true },
            [var form, var percent] => new(channels, size, form, int.Parse(percent) / 100.0),
            _ => throw new ArgumentException($"unknown weight-sparsity variant {variant}"),
        };
    }

    public bool FromVpns { get; init; }

    /// <summary>Compact conv: the kept output channels (rounded, at least 1) and so its true kept share.</summary>
    public int KeptOut => Form == "compact" ? Math.Max(1, (int)Math.Round(Channels * Density)) : Channels;

    /// <summary>2·N·Cout·Cin·9·H·W of the dense layer.</summary>
    public double DenseFlops => 2.0 * Batch * Channels * Channels * 9 * Size * Size;

    /// <summary>The share of the dense layer's MACs this variant does: its nonzeros' (sparse) or its kept channels' (compact).</summary>
    public double KeptShare => Form switch
    {
        "compact" => (double)KeptOut / Channels,
        _ => Density,
    };

    /// <summary>The work done: the dense FLOPs times the kept share.</summary>
    public double Flops => DenseFlops * KeptShare;

    /// <summary>The ideal speed-up over dense: 1 / kept share.</summary>
    public double IdealSpeedup => 1 / KeptShare;
}
