namespace SparseCore.Bench;

/// <summary>
/// A BenchmarkDotNet CSV export read back for plotting: the newest *-report.csv under the results
/// folder by default, its header, and its rows split into cells (BenchmarkDotNet quotes cells that
/// hold the separator).
/// </summary>
public static class ReportCsv
{
    public const string ResultsDirectory = "BenchmarkDotNet.Artifacts/results";

    /// <summary>The newest *-report.csv under <see cref="ResultsDirectory"/>; <paramref name="suite"/> names the suite to run in the error when there is none.</summary>
    public static string Newest(string suite) =>
        (Directory.Exists(ResultsDirectory) ? new DirectoryInfo(ResultsDirectory).GetFiles("*-report.csv") : [])
            .OrderByDescending(f => f.LastWriteTimeUtc).FirstOrDefault()?.FullName
        ?? throw new FileNotFoundException($"no *-report.csv under {ResultsDirectory}: run the {suite} suite first, or pass the CSV's path");

    /// <summary>The rows of <paramref name="path"/> and the indices of <paramref name="columns"/>, which must all be in its header.</summary>
    public static (int[] Columns, List<string[]> Rows) Read(string path, params string[] columns)
    {
        var (indices, rows) = ReadOptional(path, columns);
        if (indices.Any(i => i < 0))
            throw new InvalidDataException($"{path} lacks a {string.Join(" or ", columns.Where((_, i) => indices[i] < 0))} column: is it the right suite's report?");
        return (indices, rows);
    }

    /// <summary>As <see cref="Read"/>, with −1 for a column the header lacks.</summary>
    public static (int[] Columns, List<string[]> Rows) ReadOptional(string path, params string[] columns)
    {
        var lines = File.ReadAllLines(path);
        var header = Split(lines[0]);
        return (columns.Select(c => Array.IndexOf(header, c)).ToArray(), lines.Skip(1).Select(Split).ToList());
    }

    private static string[] Split(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        bool quoted = false;
        foreach (char ch in line)
        {
            if (ch == '"') quoted = !quoted;
            else if (ch == ',' && !quoted) { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(ch);
        }
        cells.Add(cell.ToString());
        return [.. cells];
    }
}
