namespace SparseCore.Bench.Conv;

/// <summary>The channel-count suite's derived columns, from medians: GFLOP/s, and the time against the next multiple of 8 channels at the same size.</summary>
public static class ChannelColumn
{
    public static readonly MedianColumn Gflops = new(typeof(ConvChannelsBenchmarks), "GFLOP/s", 0,
        "GFLOP/s of the layer: 2·N·C·C·9·H·W / median",
        (shape, variant, median, _) => (ConvChannelsBenchmarks.Flops(shape, variant) / median).ToString("F1"));

    public static readonly MedianColumn VsRoundedUp = new(typeof(ConvChannelsBenchmarks), "vs ⌈C⌉₈", 1,
        "this median / the median at C rounded up to a multiple of 8, same size (NA when that count did not run)",
        (_, _, median, roundedUp) => roundedUp is null ? "NA" : (median / roundedUp.Value).ToString("F2"),
        variant => $"c{(ConvChannelsBenchmarks.Channels(variant) + 7) / 8 * 8}");
}
