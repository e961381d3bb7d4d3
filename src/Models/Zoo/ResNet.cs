using SparseCore.Models.Flops;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Models.Zoo;

/// <summary>
/// ResNets with torchvision's names — normalize (no state), conv1, bn1, relu, [maxpool],
/// layer1…layerK, avgpool, fc — for the CIFAR family (ResNet-20/56, 3 stages) and the ImageNet
/// family (ResNet-18/34/50, 4 stages). Every conv is drawn like torchvision's ResNet
/// (kaiming-normal, fan_out); fc keeps Linear's default. Which blocks get a shortcut is decided by
/// the default widths, so a network rebuilt with pruned <see cref="LayerWidths"/> has the same
/// modules and names as the dense one.
/// </summary>
public sealed class ResNet : Module
{
    private readonly Normalize normalize;
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly MaxPool2d? maxpool;
    private readonly Sequential[] stages;
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Linear fc;

    public ResNet(ModuleInit init, ResNetSpec spec, InputSpec input, int classes, LayerWidths? widths = null)
    {
        if (classes <= 0) throw new ArgumentException($"{spec.Name}: classes must be positive, got {classes}");
        if (spec.Depths.Length != spec.Planes.Length || spec.Depths.Length == 0)
            throw new ArgumentException($"{spec.Name}: needs one planes entry per stage");
        Spec = spec;
        var w = (widths ?? LayerWidths.None).Read(spec.Name);
        normalize = AddModule("normalize", input.CreateNormalize());
        int channels = w.Width("conv1", spec.StemWidth);
        conv1 = AddModule("conv1", spec.ImageNetStem
            ? new Conv2d(init, input.Channels, channels, 7, 2, 3, bias: false, ConvInit.KaimingNormalFanOut)
            : new Conv2d(init, input.Channels, channels, 3, 1, 1, bias: false, ConvInit.KaimingNormalFanOut));
        bn1 = AddModule("bn1", new BatchNorm2d(init, channels));
        AddModule("relu", new ReLU());
        if (spec.ImageNetStem) maxpool = AddModule("maxpool", new MaxPool2d(3, 2, 1));

        stages = new Sequential[spec.Depths.Length];
        int defaultChannels = spec.StemWidth;
        for (int s = 0; s < stages.Length; s++)
        {
            var blocks = new Module[spec.Depths[s]];
            for (int b = 0; b < blocks.Length; b++)
            {
                string name = $"layer{s + 1}.{b}";
                int stride = b == 0 && s > 0 ? 2 : 1;
                int planes = spec.Planes[s], defaultOut = planes * spec.Expansion;
                bool shortcut = stride != 1 || defaultChannels != defaultOut;
                if (spec.Block == ResNetBlock.Bottleneck)
                {
                    var block = new Bottleneck(init, w, name, channels, planes, stride, shortcut);
                    (blocks[b], channels) = (block, block.OutChannels);
                }
                else
                {
                    var block = new BasicBlock(init, w, name, channels, planes, stride, shortcut ? spec.Shortcut : null);
                    (blocks[b], channels) = (block, block.OutChannels);
                }
                defaultChannels = defaultOut;
            }
            stages[s] = AddModule($"layer{s + 1}", new Sequential(blocks));
        }
        avgpool = AddModule("avgpool", new AdaptiveAvgPool2d(1));
        fc = AddModule("fc", new Linear(init, channels, w.Fixed("fc", classes, "the class count")));
        w.Finish();
    }

    public ResNetSpec Spec { get; }

    protected override Tensor ForwardCore(Tensor x)
    {
        x = normalize.Forward(x);
        x = ConvBnFusion.Applies(conv1, bn1) ? ConvBnFusion.Forward(conv1, bn1, x, relu: true) : F.Relu(bn1.Forward(conv1.Forward(x)));
        if (maxpool is not null) x = maxpool.Forward(x);
        foreach (var stage in stages) x = stage.Forward(x);
        return fc.Forward(F.Flatten(avgpool.Forward(x)));
    }

    public override Shape Trace(Shape input, ShapeTrace trace)
    {
        var x = trace.Child("normalize", normalize, input);
        x = trace.Child("conv1", conv1, x);
        x = trace.Child("bn1", bn1, x);
        if (maxpool is not null) x = trace.Child("maxpool", maxpool, x);
        for (int s = 0; s < stages.Length; s++) x = trace.Child($"layer{s + 1}", stages[s], x);
        x = trace.Child("avgpool", avgpool, x);
        return trace.Child("fc", fc, new Shape(x[0], x.Product(1, x.Rank)));
    }
}
