using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace SparseCore.Bench.Gemm;

/// <summary>Benchmarks whose cost in floating-point operations is known from their parameters.</summary>
public interface IFlopCounted
{
    /// <summary>FLOPs of one invocation of the benchmarked method for these parameter values.</summary>
    static abstract double Flops(IReadOnlyDictionary<string, object> parameters);
}

/// <summary>GFLOP/s from the median time: throughput beside time, so a result reads against the machine's peak.</summary>
public sealed class GflopsColumn<TBench> : IColumn where TBench : IFlopCounted
{
    public string Id => nameof(GflopsColumn<TBench>);
    public string ColumnName => "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "FLOPs per invocation / median time (GEMM: 2·N³)";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (benchmarkCase.Descriptor.Type != typeof(TBench))
            return "-"; // a joined summary shows every column on every suite's rows
        double? medianNs = summary[benchmarkCase]?.ResultStatistics?.Median;
        if (medianNs is not > 0)
            return "NA";
        return (TBench.Flops(Parameters(benchmarkCase)) / medianNs.Value).ToString("F1"); // FLOP/ns = GFLOP/s
    }

    internal static Dictionary<string, object> Parameters(BenchmarkCase benchmarkCase) =>
        benchmarkCase.Parameters.Items.ToDictionary(p => p.Name, p => p.Value);
}

/// <summary>
/// Baseline median / this median for the same parameters: the speed relative to the baseline
/// (the peer), so > 1 means faster than the peer. BenchmarkDotNet's own Ratio is the inverse
/// (time over time) and uses means, which single slow runs on a noisy VM distort.
/// </summary>
public sealed class SpeedVsBaselineColumn : IColumn
{
    public string Id => nameof(SpeedVsBaselineColumn);
    public string ColumnName => "Speed vs baseline";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 1;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "baseline median / this median, same parameters (> 1: faster than the baseline)";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var baseline = summary.BenchmarksCases.FirstOrDefault(b =>
            b.Descriptor.Baseline
            && b.Descriptor.Type == benchmarkCase.Descriptor.Type
            && b.Parameters.FolderInfo == benchmarkCase.Parameters.FolderInfo);
        double? baseMedian = baseline is null ? null : summary[baseline]?.ResultStatistics?.Median;
        double? median = summary[benchmarkCase]?.ResultStatistics?.Median;
        if (baseMedian is not > 0 || median is not > 0)
            return "NA";
        return (baseMedian.Value / median.Value).ToString("F3");
    }
}
