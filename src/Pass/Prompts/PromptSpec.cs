using System.Globalization;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;

namespace SparseCore.Pass.Prompts;

/// <summary>
/// A visual prompt's kind and size as one short string, the form a checkpoint's
/// <c>model.prompt</c> and the CLI's <c>--prompt</c> take: "pad:W" and "expansive:W" (frame width
/// W px; "pad" alone for the default width), "patch:P" / "patch:P:random:SEED" (a P×P patch), "none".
/// </summary>
public static class PromptSpec
{
    /// <summary>The prompt <paramref name="spec"/> names for C×H×W images, or null for "none".</summary>
    public static VisualPrompt? Create(string spec, ModuleInit init, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parts = spec.Split(':');
        int? Number(int i) => parts.Length > i
            ? int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0 ? v
                : throw new ArgumentException($"prompt '{spec}': '{parts[i]}' is not a positive whole number")
            : null;
        return parts[0] switch
        {
            "none" when parts.Length == 1 => null,
            "pad" when parts.Length <= 2 => new PadPrompt(init, channels, height, width, Number(1)),
            "expansive" when parts.Length <= 2 => new ExpansivePrompt(init, channels, height, width, Number(1)),
            "patch" when parts.Length == 2 => new PatchPrompt(init, channels, height, width, Number(1)!.Value),
            "patch" when parts.Length == 4 && parts[2] == "random" =>
                new PatchPrompt(init, channels, height, width, Number(1)!.Value, PatchPlacement.Random, (ulong)Number(3)!.Value),
            _ => throw new ArgumentException($"prompt '{spec}': expected none, pad[:W], expansive[:W], patch:P or patch:P:random:SEED"),
        };
    }

    /// <summary>The spec that <see cref="Create"/> turns back into a prompt of the same kind and size.</summary>
    public static string Of(VisualPrompt prompt) => prompt switch
    {
        PadPrompt p => Text($"pad:{p.Pad}"),
        ExpansivePrompt e => Text($"expansive:{e.Pad}"),
        PatchPrompt { Placement: PatchPlacement.Random } r => Text($"patch:{r.Size}:random:{r.Seed}"),
        PatchPrompt f => Text($"patch:{f.Size}"),
        _ => throw new NotSupportedException($"prompt spec: {prompt.GetType().Name} has no spec form"),
    };

    /// <summary>
    /// The network a checkpoint describes: the zoo backbone with its widths, behind its prompt when
    /// <see cref="ModelDescription.Prompt"/> names one — so a pruned, prompted network evaluates
    /// from its file alone.
    /// </summary>
    public static Module Build(ModelDescription description, ModuleInit init)
    {
        ArgumentNullException.ThrowIfNull(description);
        var widths = description.Widths is null ? null : LayerWidths.Parse(description.Widths);
        var backbone = ModelZoo.Create(description.Name, init, description.Channels, description.Height, description.Width, description.Classes, widths);
        try
        {
            var prompt = description.Prompt is null ? null
                : Create(description.Prompt, init, description.Channels, description.Height, description.Width);
            return prompt is null ? backbone : new PromptedModel(prompt, backbone);
        }
        catch
        {
            backbone.Dispose();
            throw;
        }
    }

    private static string Text(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
