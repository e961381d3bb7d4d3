namespace SparseCore.Bench.Sparse;

/// <summary>The weight-sparsity suite's derived columns, from medians: GFLOP/s of the work done (the kept MACs), speed-up over the dense conv of the same layer, and the ideal speed-up.</summary>
public static class SparseColumn
{
    public static readonly MedianColumn Gflops = new(typeof(SparseConvBenchmarks), "GFLOP/s", 0,
        "GFLOP/s of the work done: 2·N·9·H·W·(the nonzero weights for sparse, the kept channels' weights for compact, all for dense)",
        (shape, variant, median, _) => (Variant(shape, variant).Flops / median).ToString("F1"));
    public static readonly MedianColumn Speedup = new(typeof(SparseConvBenchmarks), "Speedup", 1,
        "dense median / this median, same layer (CpuBackend dense conv = 1)",
        (_, _, median, dense) => dense is null ? "NA" : (dense.Value / median).ToString("F2"));
    public static readonly MedianColumn Ideal = new(typeof(SparseConvBenchmarks), "Ideal", 2,
        "1 / the share of the dense MACs kept",
        (shape, variant, _, _) => Variant(shape, variant).IdealSpeedup.ToString("F2"));

    private static SparseVariant Variant(string shape, string variant) => SparseVariant.Parse(shape, variant, VpnsDensities.Of);
}
