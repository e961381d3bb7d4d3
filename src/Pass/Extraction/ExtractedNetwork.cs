using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;

namespace SparseCore.Pass.Extraction;

/// <summary>
/// A physically smaller backbone cut out of a dense one, with what it cost: the MACs the masked
/// network would have (<see cref="MaskedMacs"/>, the counter with each layer's own kept channels)
/// and the MACs of the extracted network itself (<see cref="ExtractedMacs"/>); equal in shared
/// mode, at least as large in union mode, where <see cref="Plan"/> lists the channels held at zero
/// and <see cref="ZeroedRows"/> the parameter rows that hold them.
/// </summary>
public sealed class ExtractedNetwork(Module model, LayerWidths widths, ModelDescription? description, ChannelPlan plan,
                                     IReadOnlyDictionary<string, float[]> zeroedRows, long maskedMacs, long extractedMacs, long denseMacs)
{
    /// <summary>The extracted backbone (owned by the caller).</summary>
    public Module Model { get; } = model;

    /// <summary>Per-layer widths the backbone was built with; what a checkpoint's <c>model.widths</c> holds.</summary>
    public LayerWidths Widths { get; } = widths;

    /// <summary>The checkpoint description to rebuild it with (<see cref="ModelZoo.Create(string, ModuleInit, int, int, int, int, LayerWidths?)"/>); null when built by a custom builder.</summary>
    public ModelDescription? Description { get; } = description;

    public ChannelPlan Plan { get; } = plan;

    /// <summary>
    /// The parameters of <see cref="Model"/> that extraction zeroed rows of (union mode's
    /// kept-but-masked channels: the writer's out-weights and bias, its batch-norm's γ and β), by
    /// name, each with a 0/1 vector over its rows (axis 0, the output channels): 0 on a row that
    /// must stay zero for the network to remain the masked one, 1 on a row that trains. Empty in
    /// shared mode. <see cref="ZeroedChannelHold"/> keeps them at zero during training.
    /// </summary>
    public IReadOnlyDictionary<string, float[]> ZeroedRows { get; } = zeroedRows;
    public ResidualMode Mode => Plan.Mode;
    public long DenseMacs { get; } = denseMacs;
    public long MaskedMacs { get; } = maskedMacs;
    public long ExtractedMacs { get; } = extractedMacs;
}
