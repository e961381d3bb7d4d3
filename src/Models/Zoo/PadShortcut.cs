using SparseCore.Models.Flops;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Models.Zoo;

/// <summary>
/// The option-A shortcut: x[:, :, ::stride, ::stride] followed by zero channels up to the block's
/// width, one <see cref="F.SubsamplePad"/> pass. The padded channels are appended after
/// the input's (akamaster's CIFAR ResNet pads both sides; with freshly initialised weights the two
/// are the same network up to a channel permutation).
/// </summary>
public sealed class PadShortcut : Module
{
    public PadShortcut(int inChannels, int outChannels, int stride)
    {
        if (outChannels < inChannels)
            throw new ArgumentException($"a zero-padding shortcut cannot narrow {inChannels} channels to {outChannels}");
        InChannels = inChannels;
        OutChannels = outChannels;
        Stride = stride;
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int Stride { get; }

    protected override Tensor ForwardCore(Tensor x) =>
        Stride == 1 && OutChannels == InChannels ? x : F.SubsamplePad(x, Stride, OutChannels - InChannels);

    /// <summary>
    /// Unmasked, the input's channels plus the padding. An extracted stream's width may be given
    /// under this module's name (kept channels): the carried channels plus those its own writers keep.
    /// </summary>
    public override Shape Trace(Shape input, ShapeTrace trace) =>
        new(input[0], trace.KeptOutputs(input[1] + OutChannels - InChannels, OutChannels), (input[2] - 1) / Stride + 1, (input[3] - 1) / Stride + 1);
}
