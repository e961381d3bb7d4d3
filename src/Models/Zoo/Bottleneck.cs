using SparseCore.Models.Flops;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Models.Zoo;

/// <summary>
/// torchvision's Bottleneck (ResNet v1.5): 1×1 → 3×3 with the stride → 1×1 at 4× the planes, each
/// followed by batch-norm, ReLU after the first two and after the residual add.
/// </summary>
public sealed class Bottleneck : Module
{
    private readonly Conv2d conv1, conv2, conv3;
    private readonly BatchNorm2d bn1, bn2, bn3;
    private readonly Sequential? downsample;
    private readonly Conv2d? downConv;
    private readonly BatchNorm2d? downBn;

    /// <param name="hasDownsample">false for an identity block, whose output width must equal its input's.</param>
    internal Bottleneck(ModuleInit init, LayerWidths.Reader widths, string name, int inChannels, int planes, int stride, bool hasDownsample)
    {
        int w1 = widths.Width($"{name}.conv1", planes);
        int w2 = widths.Width($"{name}.conv2", planes);
        int output = hasDownsample
            ? widths.Width($"{name}.conv3", planes * 4)
            : widths.Fixed($"{name}.conv3", inChannels, "an identity shortcut adds the block's input");
        conv1 = AddModule("conv1", new Conv2d(init, inChannels, w1, 1, 1, 0, bias: false, ConvInit.KaimingNormalFanOut));
        bn1 = AddModule("bn1", new BatchNorm2d(init, w1));
        conv2 = AddModule("conv2", new Conv2d(init, w1, w2, 3, stride, 1, bias: false, ConvInit.KaimingNormalFanOut));
        bn2 = AddModule("bn2", new BatchNorm2d(init, w2));
        conv3 = AddModule("conv3", new Conv2d(init, w2, output, 1, 1, 0, bias: false, ConvInit.KaimingNormalFanOut));
        bn3 = AddModule("bn3", new BatchNorm2d(init, output));
        AddModule("relu", new ReLU());
        OutChannels = output;
        if (hasDownsample)
        {
            widths.Fixed($"{name}.downsample.0", output, $"the shortcut conv adds to {name}.conv3");
            downConv = new Conv2d(init, inChannels, output, 1, stride, 0, bias: false, ConvInit.KaimingNormalFanOut);
            downBn = new BatchNorm2d(init, output);
            downsample = AddModule("downsample", new Sequential(downConv, downBn));
        }
    }

    public int OutChannels { get; }

    protected override Tensor ForwardCore(Tensor x)
    {
        if (ConvBnFusion.Applies(conv1, bn1, conv2, bn2, conv3, bn3, downsample, downConv, downBn))
        {
            var a = ConvBnFusion.Forward(conv1, bn1, x, relu: true);
            var b = ConvBnFusion.Forward(conv2, bn2, a, relu: true);
            var shortcut = downConv is not null ? ConvBnFusion.Forward(downConv, downBn!, x) : x;
            return ConvBnFusion.Forward(conv3, bn3, b, shortcut, relu: true);
        }
        var y = F.Relu(bn1.Forward(conv1.Forward(x)));
        y = F.Relu(bn2.Forward(conv2.Forward(y)));
        y = bn3.Forward(conv3.Forward(y));
        return F.Relu(F.Add(y, downsample?.Forward(x) ?? x));
    }

    public override Shape Trace(Shape input, ShapeTrace trace)
    {
        var y = trace.Child("conv1", conv1, input);
        y = trace.Child("bn1", bn1, y);
        y = trace.Child("conv2", conv2, y);
        y = trace.Child("bn2", bn2, y);
        y = trace.Child("conv3", conv3, y);
        y = trace.Child("bn3", bn3, y);
        return trace.Residual(y, downsample is not null ? trace.Child("downsample", downsample, input) : input);
    }
}
