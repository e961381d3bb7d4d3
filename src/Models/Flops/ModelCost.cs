using System.Globalization;
using System.Text;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Models.Flops;

/// <summary>
/// Parameters and multiply-accumulates of a model for one input, per layer and in total, from a
/// shape walk (no kernel runs, so a 224-px VGG-16 costs microseconds). Conv MACs are
/// out-channels · in-channels · kernel area · output pixels; linear MACs are in · out per row;
/// normalisation, activations, pooling and residual adds are not counted (as in the pruning papers).
/// </summary>
public sealed class ModelCost
{
    private ModelCost(IReadOnlyList<LayerCost> rows, Shape input, Shape output)
    {
        Rows = rows;
        Input = input;
        Output = output;
    }

    public IReadOnlyList<LayerCost> Rows { get; }
    public Shape Input { get; }
    public Shape Output { get; }
    public long Parameters => Rows.Sum(r => r.Parameters);
    public long Macs => Rows.Sum(r => r.Macs);
    public long AttentionMacs => Rows.Sum(r => r.AttentionMacs);

    /// <summary>
    /// Walks <paramref name="model"/> for <paramref name="input"/> (e.g. [1, 3, 224, 224] for one image).
    /// <paramref name="keptChannels"/> (layer name → kept output channels) counts a masked network as
    /// its extraction would be: fewer outputs there and fewer inputs in the layers that read them.
    /// </summary>
    public static ModelCost Measure(Module model, Shape input, IReadOnlyDictionary<string, int>? keptChannels = null)
    {
        var trace = new ShapeTrace(keptChannels);
        var output = model.Trace(input, trace);
        trace.CheckAllKeptUsed();
        return new ModelCost(trace.Rows, input, output);
    }

    /// <summary>An aligned text table: one row per layer, then the totals.</summary>
    public string Format()
    {
        string[] header = ["layer", "kind", "input", "output", "params", "MACs", "attn MACs"];
        var table = Rows.Select(r => new[]
        {
            r.Name, r.Kind, r.Input.ToString(), r.Output.ToString(), Count(r.Parameters), Count(r.Macs),
            r.AttentionMacs == 0 ? "" : Count(r.AttentionMacs),
        }).ToList();
        table.Add(["total", "", Input.ToString(), Output.ToString(), Count(Parameters), Count(Macs), AttentionMacs == 0 ? "" : Count(AttentionMacs)]);
        var widths = Enumerable.Range(0, header.Length).Select(c => table.Append(header).Max(row => row[c].Length)).ToArray();
        var text = new StringBuilder();
        void Line(string[] cells)
        {
            // Names and shapes read left to right, counts line up on their last digit.
            var padded = cells.Select((cell, c) => c >= 4 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]));
            text.Append(string.Join("  ", padded).TrimEnd()).Append('\n');
        }
        Line(header);
        Line(widths.Select(w => new string('-', w)).ToArray());
        foreach (var row in table.Take(table.Count - 1)) Line(row);
        Line(widths.Select(w => new string('-', w)).ToArray());
        Line(table[^1]);
        text.Append(CultureInfo.InvariantCulture,
            $"{Parameters / 1e6:F3} M parameters, {Macs / 1e9:F4} G MACs (conv + linear)");
        if (AttentionMacs > 0) text.Append(CultureInfo.InvariantCulture, $" + {AttentionMacs / 1e9:F4} G attention MACs");
        text.Append('\n');
        return text.ToString();
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
