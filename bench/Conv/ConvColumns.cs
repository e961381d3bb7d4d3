using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace SparseCore.Bench.Conv;

/// <summary>
/// The conv-forms suite's derived columns, all from medians: GFLOP/s of the work the variant has
/// to do, its speedup over the dense conv of the same layer, the ideal speedup, and their ratio.
/// </summary>
public sealed class ConvColumn : IColumn
{
    public static readonly ConvColumn Gflops = new("GFLOP/s", 0,
        "GFLOP/s of the variant's own work: kept FLOPs 2·N·kept_out·kept_in·9·H·W for gather/compact, the full layer's for dense, masked-dense and ORT",
        (v, median, _) => (v.Flops / median).ToString("F1"));
    public static readonly ConvColumn Speedup = new("Speedup", 1,
        "dense median / this median, same layer (CpuBackend dense conv = 1)",
        (_, median, dense) => dense is null ? "NA" : (dense.Value / median).ToString("F2"));
    public static readonly ConvColumn Ideal = new("Ideal", 2,
        "dense FLOPs / this variant's FLOPs: 1/r for output-only pruning, 1/r² for both (r = kept/C after rounding)",
        (v, _, _) => v.IdealSpeedup.ToString("F2"));
    public static readonly ConvColumn OfIdeal = new("Measured/ideal", 3,
        "Speedup / Ideal",
        (v, median, dense) => dense is null ? "NA" : (dense.Value / median / v.IdealSpeedup).ToString("F2"));

    private readonly Func<ConvVariant, double, double?, string> value;

    private ConvColumn(string name, int priority, string legend, Func<ConvVariant, double, double?, string> value)
    {
        (ColumnName, PriorityInCategory, Legend, this.value) = (name, priority, legend, value);
    }

    public string Id => nameof(ConvColumn) + ColumnName;
    public string ColumnName { get; }
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory { get; }
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend { get; }
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        // A joined summary shows every column on every suite's rows.
        if (benchmarkCase.Descriptor.Type != typeof(ConvFormsBenchmarks)) return "-";
        double? median = summary[benchmarkCase]?.ResultStatistics?.Median;
        if (median is not > 0) return "NA";
        string shape = Param(benchmarkCase, nameof(ConvFormsBenchmarks.Shape));
        var dense = summary.BenchmarksCases.FirstOrDefault(b =>
            b.Descriptor.Type == benchmarkCase.Descriptor.Type
            && Param(b, nameof(ConvFormsBenchmarks.Shape)) == shape
            && Param(b, nameof(ConvFormsBenchmarks.Variant)) == "dense");
        double? denseMedian = dense is null ? null : summary[dense]?.ResultStatistics?.Median;
        return value(ConvVariant.Parse(shape, Param(benchmarkCase, nameof(ConvFormsBenchmarks.Variant))), median.Value, denseMedian);
    }

    private static string Param(BenchmarkCase b, string name) => (string)b.Parameters[name];
}
