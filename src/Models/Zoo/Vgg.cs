using SparseCore.Models.Flops;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Models.Zoo;

/// <summary>
/// VGG-16 (configuration D) with or without batch-norm, torchvision's names: features.N (conv,
/// [bn], relu, and a max-pool after each stage), avgpool, classifier.N. Inputs smaller than 32 px
/// (Fashion-MNIST's 28) are zero-padded to 32 in pixel space by the first layer ("pad", before the
/// normalisation), since five 2× pools need 32. For inputs of 224 px and more the head is
/// torchvision's (adaptive pool to 7×7, 4096 → 4096 → classes with dropout 0.5); below that the
/// features end at 1×1 to 7×7 and the head is global pool → Linear(512, classes) as CIFAR VGGs do.
/// Init as torchvision: convs kaiming-normal (fan_out) with zero bias, linears N(0, 0.01) with zero bias.
/// </summary>
public sealed class Vgg : Module
{
    private static readonly int[] Config16 = [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0]; // 0: max-pool

    private readonly ZeroPad2d? pad;
    private readonly Normalize normalize;
    private readonly Sequential features, classifier;
    private readonly AdaptiveAvgPool2d avgpool;

    public Vgg(ModuleInit init, bool batchNorm, InputSpec input, int classes, LayerWidths? widths = null)
    {
        Name = batchNorm ? "vgg16_bn" : "vgg16";
        if (classes <= 0) throw new ArgumentException($"{Name}: classes must be positive, got {classes}");
        var w = (widths ?? LayerWidths.None).Read(Name);
        int side = Math.Min(input.Height, input.Width);
        if (side < 32) pad = AddModule("pad", new ZeroPad2d((32 - side + 1) / 2));
        normalize = AddModule("normalize", input.CreateNormalize());

        var layers = new List<Module>();
        int channels = input.Channels;
        foreach (int v in Config16)
        {
            if (v == 0)
            {
                layers.Add(new MaxPool2d(2, 2));
                continue;
            }
            int width = w.Width($"features.{layers.Count}", v);
            layers.Add(new Conv2d(init, channels, width, 3, 1, 1, bias: true, ConvInit.KaimingNormalFanOut));
            if (batchNorm) layers.Add(new BatchNorm2d(init, width));
            layers.Add(new ReLU());
            channels = width;
        }
        features = AddModule("features", new Sequential(layers.ToArray()));

        TorchvisionHead = side >= 224;
        avgpool = AddModule("avgpool", new AdaptiveAvgPool2d(TorchvisionHead ? 7 : 1));
        Linear Dense(int inFeatures, int outFeatures) =>
            new(init.Normal(new Shape(outFeatures, inFeatures), 0.01f), init.Constant(new Shape(outFeatures), 0f));
        if (TorchvisionHead)
        {
            int hidden1 = w.Width("classifier.0", 4096), hidden2 = w.Width("classifier.3", 4096);
            classifier = AddModule("classifier", new Sequential(
                Dense(channels * 49, hidden1), new ReLU(), new Dropout(0.5f, init),
                Dense(hidden1, hidden2), new ReLU(), new Dropout(0.5f, init),
                Dense(hidden2, w.Fixed("classifier.6", classes, "the class count"))));
        }
        else
        {
            classifier = AddModule("classifier", new Sequential(Dense(channels, w.Fixed("classifier.0", classes, "the class count"))));
        }
        w.Finish();
    }

    public string Name { get; }

    /// <summary>True when the head is torchvision's 7×7 → 4096 → 4096 classifier (inputs of 224 px and more).</summary>
    public bool TorchvisionHead { get; }

    protected override Tensor ForwardCore(Tensor x)
    {
        if (pad is not null) x = pad.Forward(x);
        x = features.Forward(normalize.Forward(x));
        return classifier.Forward(F.Flatten(avgpool.Forward(x)));
    }

    public override Shape Trace(Shape input, ShapeTrace trace)
    {
        var x = pad is null ? input : trace.Child("pad", pad, input);
        x = trace.Child("normalize", normalize, x);
        x = trace.Child("features", features, x);
        x = trace.Child("avgpool", avgpool, x);
        return trace.Child("classifier", classifier, new Shape(x[0], x.Product(1, x.Rank)));
    }
}
