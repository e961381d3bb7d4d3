using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace SparseCore.Bench;

/// <summary>
/// A column derived from medians for a suite (or the suites deriving from one) whose cases are a
/// "Shape" and a "Variant" string parameter: the value gets the case's two parameters, its median
/// and the median of a reference variant of the same shape in the same suite (null when that did
/// not run) — GFLOP/s, speed-ups, ideal speed-ups. The reference is "dense" unless
/// <paramref name="reference"/> names another for each variant.
/// </summary>
public sealed class MedianColumn(Type suite, string name, int priority, string legend, Func<string, string, double, double?, string> value,
                                 Func<string, string>? reference = null) : IColumn
{
    public string Id => suite.Name + ColumnName;
    public string ColumnName { get; } = name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory { get; } = priority;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend { get; } = legend;
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        // A joined summary shows every column on every suite's rows.
        var type = benchmarkCase.Descriptor.Type;
        if (!suite.IsAssignableFrom(type)) return "-";
        double? median = summary[benchmarkCase]?.ResultStatistics?.Median;
        if (median is not > 0) return "NA";
        string shape = Param(benchmarkCase, "Shape");
        string variant = Param(benchmarkCase, "Variant"), against = reference?.Invoke(variant) ?? "dense";
        var other = summary.BenchmarksCases.FirstOrDefault(b =>
            b.Descriptor.Type == type && Param(b, "Shape") == shape && Param(b, "Variant") == against);
        double? otherMedian = other is null ? null : summary[other]?.ResultStatistics?.Median;
        return value(shape, variant, median.Value, otherMedian);
    }

    private static string Param(BenchmarkCase b, string name) => (string)b.Parameters[name];
}
