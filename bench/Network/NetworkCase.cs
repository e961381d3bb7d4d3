namespace SparseCore.Bench.Network;

/// <summary>What one case times: a training step (forward, cross-entropy, backward, SGD) or an inference pass (eval mode, no tape, logits read back).</summary>
public enum NetworkMode { Train, Infer }

/// <summary>
/// One row of the whole-network benchmark: a model-zoo network at one batch size in one mode, on
/// the input every runner shares (<see cref="Channels"/>×<see cref="Height"/>×<see cref="Width"/>
/// images, <see cref="Classes"/> classes: Fashion-MNIST's shape, where the ResNet-18 takes the
/// small stem).
/// </summary>
public sealed record NetworkCase(string Model, NetworkMode Mode, int Batch)
{
    public const int Channels = 1, Height = 28, Width = 28, Classes = 10;

    /// <summary>The networks every runner builds alike: basic-block ResNets (zero-padding shortcuts for the CIFAR depths, conv shortcuts for 18 and 34).</summary>
    public static IReadOnlyList<string> Models { get; } = ["resnet20", "resnet56", "resnet18", "resnet34"];

    public string ModeName => Mode == NetworkMode.Train ? "train" : "infer";

    public override string ToString() => $"{Model} {ModeName} batch {Batch}";
}
