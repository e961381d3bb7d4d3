using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;

namespace SparseCore.Pass.Extraction;

/// <summary>
/// A physically smaller backbone cut out of a dense one, with what it cost: the MACs the masked
/// network would have (<see cref="MaskedMacs"/>, the counter with each layer's own kept channels)
/// and the MACs of the extracted network itself (<see cref="ExtractedMacs"/>); equal in shared
/// mode, at least as large in union mode, where <see cref="Plan"/> lists the channels held at zero.
/// </summary>
public sealed class ExtractedNetwork(Module model, LayerWidths widths, ModelDescription? description, ChannelPlan plan, long maskedMacs, long extractedMacs, long denseMacs)
{
    /// <summary>The extracted backbone (owned by the caller).</summary>
    public Module Model { get; } = model;

    /// <summary>Per-layer widths the backbone was built with; what a checkpoint's <c>model.widths</c> holds.</summary>
    public LayerWidths Widths { get; } = widths;

    /// <summary>The checkpoint description to rebuild it with (<see cref="ModelZoo.Create(string, ModuleInit, int, int, int, int, LayerWidths?)"/>); null when built by a custom builder.</summary>
    public ModelDescription? Description { get; } = description;

    public ChannelPlan Plan { get; } = plan;
    public ResidualMode Mode => Plan.Mode;
    public long DenseMacs { get; } = denseMacs;
    public long MaskedMacs { get; } = maskedMacs;
    public long ExtractedMacs { get; } = extractedMacs;
}
