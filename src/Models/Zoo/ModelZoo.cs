using SparseCore.Models.Modules;

namespace SparseCore.Models.Zoo;

/// <summary>Builds a backbone by name for a dataset's input and class count.</summary>
public static class ModelZoo
{
    public static IReadOnlyList<string> Names { get; } =
        ["mlp", "resnet20", "resnet56", "resnet18", "resnet34", "resnet50", "vgg16", "vgg16_bn", "vit_tiny"];

    /// <summary>Fashion-MNIST's pixel mean and standard deviation, the default input normalisation.</summary>
    public const float FashionMnistMean = 0.2860f, FashionMnistStd = 0.3530f;

    /// <summary>
    /// A backbone for [channels, height, width] inputs normalised with <see cref="InputSpec.For"/>'s
    /// statistics. The CIFAR ResNets use zero-padding shortcuts (option A); the ImageNet ResNets take
    /// the small stem below 64 px; ViT-Tiny uses patch 16 from 224 px, else 4. <paramref name="widths"/>
    /// rebuilds a pruned network (see <see cref="LayerWidths"/>; the MLP has none).
    /// </summary>
    public static Module Create(string name, ModuleInit init, int channels, int height, int width, int classes, LayerWidths? widths = null) =>
        Create(name, init, InputSpec.For(channels, height, width), classes, widths);

    public static Module Create(string name, ModuleInit init, InputSpec input, int classes, LayerWidths? widths = null)
    {
        int side = Math.Min(input.Height, input.Width);
        return name switch
        {
            "mlp" when widths is null || widths.Entries.Count == 0 => Mlp(init, input, [256], classes),
            "mlp" => throw new ArgumentException("mlp: per-layer widths are not supported"),
            "resnet20" => new ResNet(init, ResNetSpec.Cifar(20), input, classes, widths),
            "resnet56" => new ResNet(init, ResNetSpec.Cifar(56), input, classes, widths),
            "resnet18" => new ResNet(init, ResNetSpec.ImageNet(18, smallStem: side < 64), input, classes, widths),
            "resnet34" => new ResNet(init, ResNetSpec.ImageNet(34, smallStem: side < 64), input, classes, widths),
            "resnet50" => new ResNet(init, ResNetSpec.ImageNet(50, smallStem: side < 64), input, classes, widths),
            "vgg16" => new Vgg(init, batchNorm: false, input, classes, widths),
            "vgg16_bn" => new Vgg(init, batchNorm: true, input, classes, widths),
            "vit_tiny" => new VisionTransformer(init, VitSpec.Tiny(side >= 224 ? 16 : 4), input, classes, widths),
            _ => throw new ArgumentException($"unknown model '{name}'; known models: {string.Join(", ", Names)}"),
        };
    }

    /// <summary>Normalise → flatten → (Linear → ReLU)* → Linear.</summary>
    public static Sequential Mlp(ModuleInit init, int inputs, IReadOnlyList<int> hidden, int classes) =>
        Mlp(init, new InputSpec(1, 1, inputs, [FashionMnistMean], [FashionMnistStd]), hidden, classes);

    private static Sequential Mlp(ModuleInit init, InputSpec input, IReadOnlyList<int> hidden, int classes)
    {
        var layers = new List<Module> { input.CreateNormalize(), new Flatten() };
        int width = input.Channels * input.Height * input.Width;
        foreach (int h in hidden)
        {
            layers.Add(new Linear(init, width, h));
            layers.Add(new ReLU());
            width = h;
        }
        layers.Add(new Linear(init, width, classes));
        return new Sequential(layers.ToArray());
    }
}
