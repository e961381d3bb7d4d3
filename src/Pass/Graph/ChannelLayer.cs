namespace SparseCore.Pass.Graph;

public enum LayerKind
{
    Conv,
    Linear,
}

/// <summary>
/// One conv or linear layer of a backbone, in module order.
/// </summary>
/// <param name="Name">The layer's module name ("layer1.0.conv1", "features.3", "fc").</param>
/// <param name="Norm">The batch-norm right after it ("layer1.0.bn1"), or null: the mask then acts after the bias.</param>
/// <param name="Mask">The mask on its output channels, owned (<see cref="OwnsMask"/>) or shared; null when not prunable (the classifier).</param>
/// <param name="InputMask">
/// The mask on its input channels in the paper's sequential semantics: the mask of the layer that
/// produced its input (for a block's first conv and its downsample conv, the last conv that wrote
/// the residual stream); null for the image or an unpruned input.
/// </param>
/// <param name="Group">The residual group this layer writes into, or null.</param>
/// <param name="InputGroup">The residual group of the stream it reads, or null when its input is no residual stream.</param>
/// <param name="InputPositions">Input features per input channel: 1 for convs, the spatial positions a flatten folds in for a linear (49 for VGG's 7×7 head).</param>
public sealed record ChannelLayer(
    int Index, string Name, LayerKind Kind, string? Norm, int InChannels, int OutChannels,
    int? Mask, bool OwnsMask, int? InputMask, int? Group, int? InputGroup, int InputPositions)
{
    public bool Prunable => Mask is not null;
}

/// <summary>A distinct channel mask: the layer whose head scores it and every layer that shares it, in module order.</summary>
public sealed record ChannelMask(int Id, string Owner, int Channels, IReadOnlyList<string> Layers, int? Group);

/// <summary>
/// Convs writing into one residual stream: their output channels are summed, so removing a stream
/// channel needs every writer (and reader) to agree. A group begins at a conv shortcut (which reads
/// the previous stream through a 1×1 conv) or at a zero-padding shortcut, whose identity carries
/// the previous stream's channels into the first channels of the wider one (<see cref="PaddedFrom"/>
/// names that group and <see cref="PaddingShortcut"/> the module); masks of the two groups are
/// independent, the padding shortcut maps kept channels between them.
/// </summary>
public sealed record ResidualGroup(int Id, int Channels, IReadOnlyList<string> Writers, IReadOnlyList<int> Masks, int? PaddedFrom, string? PaddingShortcut);
