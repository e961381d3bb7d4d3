using System.Globalization;

namespace SparseCore.Bench.Network;

/// <summary>
/// The `network` mode's options. Each block runs <see cref="WarmSteps"/> untimed steps (the other
/// contenders ran in between: caches are cold, their threads asleep) and then as many timed steps
/// as fill about <see cref="BlockSeconds"/>; `--quick` shrinks both to prove the plumbing only.
/// </summary>
internal sealed record NetworkOptions
{
    public const string Usage =
        "usage: network [--blocks N] [--models resnet20,resnet18] [--batches 1,32,128] [--modes train,infer] [--quick] [--out FILE.csv] [--python PATH]";

    public int Blocks { get; init; } = 5;
    public IReadOnlyList<string> Models { get; init; } = ["resnet20", "resnet18"];
    public IReadOnlyList<int> Batches { get; init; } = [1, 32, 128];
    public IReadOnlyList<NetworkMode> Modes { get; init; } = [NetworkMode.Train, NetworkMode.Infer];
    public bool Quick { get; init; }
    public string? Out { get; init; }
    public string Python { get; init; } = TorchRunner.DefaultPython;

    public int WarmSteps => Quick ? 1 : 2;
    public double BlockSeconds => Quick ? 0.1 : 3.0;

    /// <summary>Every case, model by model, training before inference, batches ascending.</summary>
    public IEnumerable<NetworkCase> Cases() =>
        from model in Models from mode in Modes from batch in Batches select new NetworkCase(model, mode, batch);

    /// <exception cref="ArgumentException">An unknown option or a bad value, named in the message.</exception>
    public static NetworkOptions Parse(string[] args)
    {
        var options = new NetworkOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string option = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{option} needs a value");
            options = option switch
            {
                "--blocks" => options with { Blocks = Positive(option, Value()) },
                "--models" => options with { Models = List(option, Value(), m => NetworkCase.Models.Contains(m) ? m
                    : throw new ArgumentException($"{option}: unknown model '{m}' (known: {string.Join(", ", NetworkCase.Models)})")) },
                "--batches" => options with { Batches = List(option, Value(), b => Positive(option, b)) },
                "--modes" => options with { Modes = List(option, Value(), m => m switch
                {
                    "train" => NetworkMode.Train,
                    "infer" => NetworkMode.Infer,
                    _ => throw new ArgumentException($"{option}: unknown mode '{m}' (known: train, infer)"),
                }) },
                "--quick" => options with { Quick = true },
                "--out" => options with { Out = Value() },
                "--python" => options with { Python = Value() },
                _ => throw new ArgumentException($"unknown option '{option}'"),
            };
        }
        return options;
    }

    private static int Positive(string option, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value : throw new ArgumentException($"{option}: '{text}' is not a positive integer");

    private static T[] List<T>(string option, string text, Func<string, T> parse)
    {
        var items = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (items.Length == 0) throw new ArgumentException($"{option} needs at least one value");
        return items.Distinct().Select(parse).ToArray();
    }
}
