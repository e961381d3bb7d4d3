namespace SparseCore.Cli;

/// <summary>A plain fixed-width text table for the terminal: columns padded to their widest cell, a rule under the header.</summary>
internal static class TextTable
{
    public static string Format(IReadOnlyList<string> header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var sb = new System.Text.StringBuilder();
        void Line(IReadOnlyList<string> cells) => sb.AppendLine(string.Join("  ", cells.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        Line(header);
        sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows) Line(row);
        return sb.ToString();
    }
}
