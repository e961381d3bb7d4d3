using System.Text;

namespace SparseCore.Cli.GpuCheck;

/// <summary>
/// The one results file of `gpu-check` (markdown, so docs/benchmarks.md can quote its tables),
/// echoed to the terminal section by section as it is measured: a run cut short still shows what
/// it got. The file is rewritten after every section for the same reason.
/// </summary>
internal sealed class GpuCheckReport(string path)
{
    private readonly StringBuilder text = new();

    public string Path => path;

    public void Heading(string title)
    {
        Append($"\n## {title}\n");
    }

    public void Line(string line) => Append(line);

    /// <summary>A markdown table; numbers are formatted by the caller (invariant culture).</summary>
    public void Table(IReadOnlyList<string> header, IEnumerable<string[]> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| " + string.Join(" | ", header) + " |");
        sb.AppendLine("|" + string.Concat(header.Select(_ => " --- |")));
        foreach (var row in rows) sb.AppendLine("| " + string.Join(" | ", row) + " |");
        Append(sb.ToString().TrimEnd());
    }

    private void Append(string block)
    {
        text.AppendLine(block);
        Console.WriteLine(block);
        Flush();
    }

    private void Flush()
    {
        string? folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        File.WriteAllText(path, text.ToString());
    }
}
