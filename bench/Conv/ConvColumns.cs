namespace SparseCore.Bench.Conv;

/// <summary>
/// The conv-forms suite's derived columns, all from medians: GFLOP/s of the work the variant has
/// to do, its speedup over the dense conv of the same layer, the ideal speedup, and their ratio.
/// </summary>
public static class ConvColumn
{
    public static readonly MedianColumn Gflops = new(typeof(ConvFormsBenchmarks), "GFLOP/s", 0,
        "GFLOP/s of the variant's own work: kept FLOPs 2·N·kept_out·kept_in·9·H·W for gather/compact, the full layer's for dense, masked-dense and ORT",
        (shape, variant, median, _) => (ConvVariant.Parse(shape, variant).Flops / median).ToString("F1"));
    public static readonly MedianColumn Speedup = new(typeof(ConvFormsBenchmarks), "Speedup", 1,
        "dense median / this median, same layer (CpuBackend dense conv = 1)",
        (_, _, median, dense) => dense is null ? "NA" : (dense.Value / median).ToString("F2"));
    public static readonly MedianColumn Ideal = new(typeof(ConvFormsBenchmarks), "Ideal", 2,
        "dense FLOPs / this variant's FLOPs: 1/r for output-only pruning, 1/r² for both (r = kept/C after rounding)",
        (shape, variant, _, _) => ConvVariant.Parse(shape, variant).IdealSpeedup.ToString("F2"));
    public static readonly MedianColumn OfIdeal = new(typeof(ConvFormsBenchmarks), "Measured/ideal", 3,
        "Speedup / Ideal",
        (shape, variant, median, dense) => dense is null ? "NA" : (dense.Value / median / ConvVariant.Parse(shape, variant).IdealSpeedup).ToString("F2"));
}
