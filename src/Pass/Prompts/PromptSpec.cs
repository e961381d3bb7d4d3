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
    public static VisualPrompt? Create(string spec, ModuleInit init, int channels, int height, int width) =>
        Parse(spec)(init, channels, height, width);

    /// <summary>
    /// Throws the ArgumentException <see cref="Create"/> would for a malformed spec, without building
    /// a prompt: a command line can reject --prompt before it loads data or trains. Whether the
    /// prompt fits the images (a frame or patch no larger than they allow) is left to Create.
    /// </summary>
    public static void Validate(string spec) => Parse(spec);

    private delegate VisualPrompt? PromptFactory(ModuleInit init, int channels, int height, int width);

    private static PromptFactory Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parts = spec.Split(':');
        int? Number(int i) => parts.Length > i
            ? int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0 ? v
                : throw new ArgumentException($"prompt '{spec}': '{parts[i]}' is not a positive whole number")
            : null;
        switch (parts[0])
        {
            case "none" when parts.Length == 1:
                return (_, _, _, _) => null;
            case "pad" when parts.Length <= 2:
            {
                int? pad = Number(1);
                return (init, c, h, w) => new PadPrompt(init, c, h, w, pad);
            }
            case "expansive" when parts.Length <= 2:
            {
                int? pad = Number(1);
                return (init, c, h, w) => new ExpansivePrompt(init, c, h, w, pad);
            }
            case "patch" when parts.Length == 2:
            {
                int size = Number(1)!.Value;
                return (init, c, h, w) => new PatchPrompt(init, c, h, w, size);
            }
            case "patch" when parts.Length == 4 && parts[2] == "random":
            {
                int size = Number(1)!.Value;
                // Any ulong, 0 included: the seed PatchPrompt takes and Of writes back.
                if (!ulong.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed))
                    throw new ArgumentException($"prompt '{spec}': seed '{parts[3]}' is not a whole number in [0, {ulong.MaxValue}]");
                return (init, c, h, w) => new PatchPrompt(init, c, h, w, size, PatchPlacement.Random, seed);
            }
            default:
                throw new ArgumentException($"prompt '{spec}': expected none, pad[:W], expansive[:W], patch:P or patch:P:random:SEED");
        }
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
    /// <see cref="ModelDescription.Prompt"/> names one (used at test time or not, as recorded), and
    /// answering through its label mapping when it has one — so a pruned, prompted network
    /// evaluates from its file alone.
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
            Module model = prompt is null ? backbone : new PromptedModel(prompt, backbone) { UsePrompt = description.PromptAtTest };
            return description.LabelMap is null ? model : new Labels.LabelMappedModel(model, Labels.LabelMapText.Parse(description.LabelMap, description.Classes));
        }
        catch
        {
            backbone.Dispose();
            throw;
        }
    }

    private static string Text(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
