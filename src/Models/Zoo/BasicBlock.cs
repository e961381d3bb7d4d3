using SparseCore.Models.Flops;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Models.Zoo;

/// <summary>
/// torchvision's BasicBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), conv1 carrying
/// the stride. The shortcut is the identity unless the block changes stride or (default) width.
/// </summary>
public sealed class BasicBlock : Module
{
    private readonly Conv2d conv1, conv2;
    private readonly BatchNorm2d bn1, bn2;
    private readonly Sequential? downsample;
    private readonly Conv2d? downConv;
    private readonly BatchNorm2d? downBn;
    private readonly PadShortcut? pad;

    /// <param name="shortcut">null for an identity block, whose output width must equal its input's.</param>
    internal BasicBlock(ModuleInit init, LayerWidths.Reader widths, string name, int inChannels, int planes, int stride, ResNetShortcut? shortcut)
    {
        int mid = widths.Width($"{name}.conv1", planes);
        int output = shortcut is null
            ? widths.Fixed($"{name}.conv2", inChannels, "an identity shortcut adds the block's input")
            : widths.Width($"{name}.conv2", planes);
        conv1 = AddModule("conv1", new Conv2d(init, inChannels, mid, 3, stride, 1, bias: false, ConvInit.KaimingNormalFanOut));
        bn1 = AddModule("bn1", new BatchNorm2d(init, mid));
        AddModule("relu", new ReLU());
        conv2 = AddModule("conv2", new Conv2d(init, mid, output, 3, 1, 1, bias: false, ConvInit.KaimingNormalFanOut));
        bn2 = AddModule("bn2", new BatchNorm2d(init, output));
        OutChannels = output;
        if (shortcut == ResNetShortcut.Conv)
        {
            widths.Fixed($"{name}.downsample.0", output, $"the shortcut conv adds to {name}.conv2");
            downConv = new Conv2d(init, inChannels, output, 1, stride, 0, bias: false, ConvInit.KaimingNormalFanOut);
            downBn = new BatchNorm2d(init, output);
            downsample = AddModule("downsample", new Sequential(downConv, downBn));
        }
        else if (shortcut == ResNetShortcut.ZeroPad)
        {
            pad = AddModule("shortcut", new PadShortcut(inChannels, output, stride));
        }
    }

    public int OutChannels { get; }

    protected override Tensor ForwardCore(Tensor x)
    {
        if (ConvBnFusion.Applies(conv1, bn1, conv2, bn2, downsample, downConv, downBn))
        {
            var shortcut = downConv is not null ? ConvBnFusion.Forward(downConv, downBn!, x) : pad?.Forward(x) ?? x;
            // Both convs in one call: a backend may hand conv1's output straight to conv2 (the CPU does).
            return ConvBnFusion.ForwardPair(conv1, bn1, conv2, bn2, x, shortcut, relu: true);
        }
        var y = F.Relu(bn1.Forward(conv1.Forward(x)));
        y = bn2.Forward(conv2.Forward(y));
        var identity = downsample?.Forward(x) ?? pad?.Forward(x) ?? x;
        return F.Relu(F.Add(y, identity));
    }

    public override Shape Trace(Shape input, ShapeTrace trace)
    {
        var y = trace.Child("conv1", conv1, input);
        y = trace.Child("bn1", bn1, y);
        y = trace.Child("conv2", conv2, y);
        y = trace.Child("bn2", bn2, y);
        var identity = downsample is not null ? trace.Child("downsample", downsample, input)
                     : pad is not null ? trace.Child("shortcut", pad, input) : input;
        return trace.Residual(y, identity);
    }
}
