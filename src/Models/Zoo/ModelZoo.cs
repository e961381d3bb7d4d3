using SparseCore.Models.Modules;

namespace SparseCore.Models.Zoo;

/// <summary>Builds a backbone by name for a dataset's input and class count.</summary>
public static class ModelZoo
{
    public static IReadOnlyList<string> Names { get; } = ["mlp"];

    /// <summary>Fashion-MNIST's pixel mean and standard deviation, the default input normalisation.</summary>
    public const float FashionMnistMean = 0.2860f, FashionMnistStd = 0.3530f;

    public static Module Create(string name, ModuleInit init, int channels, int height, int width, int classes) => name switch
    {
        "mlp" => Mlp(init, channels * height * width, [256], classes),
        _ => throw new ArgumentException($"unknown model '{name}'; known models: {string.Join(", ", Names)}"),
    };

    /// <summary>Normalise → flatten → (Linear → ReLU)* → Linear.</summary>
    public static Sequential Mlp(ModuleInit init, int inputs, IReadOnlyList<int> hidden, int classes)
    {
        var layers = new List<Module> { new Normalize(FashionMnistMean, FashionMnistStd), new Flatten() };
        int width = inputs;
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
