using System.Globalization;
using SparseCore.Models.IO;

namespace SparseCore.Cli.Commands;

/// <summary>Everything `sparsecore train` was asked. <see cref="Validation"/> is null until the data decides its default.</summary>
internal sealed record TrainSettings(string Model, string Data, string? Device, ulong Seed, int Epochs, int BatchSize,
                                     string Optimizer, float Lr, float Momentum, float WeightDecay, int Warmup, float LabelSmoothing,
                                     bool Augment, int? Validation, int TrainSubset, string Output, string? Resume)
{
    /// <summary>The recorded settings that change a run's result, each with the option that sets it.</summary>
    private static readonly (string Key, string Option)[] Recorded =
    [
        ("data", "--data"), ("batch_size", "--batch-size"), ("optimizer", "--optimizer"), ("lr", "--lr"), ("momentum", "--momentum"),
        ("weight_decay", "--weight-decay"), ("warmup_epochs", "--warmup"), ("label_smoothing", "--label-smoothing"),
        ("augment", "--augment"), ("validation", "--validation"), ("train_subset", "--train-subset"),
    ];

    /// <summary>Recorded in every checkpoint, so a run can be read back, repeated and resumed.</summary>
    public IReadOnlyDictionary<string, string> ToDictionary()
    {
        var d = new Dictionary<string, string>
        {
            ["data"] = Data, ["epochs"] = Text(Epochs), ["batch_size"] = Text(BatchSize), ["optimizer"] = Optimizer,
            ["lr"] = Text(Lr), ["momentum"] = Text(Momentum), ["weight_decay"] = Text(WeightDecay), ["warmup_epochs"] = Text(Warmup),
            ["label_smoothing"] = Text(LabelSmoothing), ["augment"] = Augment ? "true" : "false", ["train_subset"] = Text(TrainSubset),
        };
        if (Validation is int v) d["validation"] = Text(v);
        return d;
    }

    /// <summary>
    /// The settings a resumed run continues with: the checkpoint's. An option given on this command
    /// line must equal its recorded value — anything else would change the run it claims to continue
    /// (another batch size, say, moves the schedule's clock past its end: an epoch at learning rate 0)
    /// — except --epochs, which may grow (the cosine then spans the new total; see the README).
    /// </summary>
    /// <param name="given">Whether an option (by name) was given on the command line rather than defaulted.</param>
    public TrainSettings ResumedFrom(CheckpointInfo info, string path, Func<string, bool> given)
    {
        var s = this;
        void Refuse(string option, string recorded, string asked) =>
            throw new ArgumentException($"{option} {asked}: the run at {path} was trained with {option} {recorded}; " +
                                        "a resumed run keeps its settings (only --epochs may grow), so leave it out or start a new run");
        if (info.Model is { } m && m.Name != Model)
        {
            if (given("--model")) Refuse("--model", m.Name, Model);
            s = s with { Model = m.Name };
        }
        if (info.Seed is long seed && (ulong)seed != Seed)
        {
            if (given("--seed")) Refuse("--seed", Text((ulong)seed), Text(Seed));
            s = s with { Seed = (ulong)seed };
        }
        var asked = ToDictionary();
        foreach (var (key, option) in Recorded)
        {
            if (!info.Settings.TryGetValue(key, out string? recorded)) continue; // older checkpoints lack some
            if (given(option) && asked.GetValueOrDefault(key) != recorded) Refuse(option, recorded, asked.GetValueOrDefault(key, ""));
            s = s.With(key, recorded, path);
        }
        if (info.Settings.TryGetValue("epochs", out string? plannedText))
        {
            int planned = Parse<int>(plannedText, "epochs", path);
            if (!given("--epochs")) s = s with { Epochs = planned };
            else if (Epochs < planned)
                throw new ArgumentException($"--epochs {Epochs}: the run at {path} was planned for {planned} epochs; --epochs may only grow on resume");
        }
        return s;
    }

    private TrainSettings With(string key, string value, string path) => key switch
    {
        "data" => this with { Data = value },
        "batch_size" => this with { BatchSize = Parse<int>(value, key, path) },
        "optimizer" => this with { Optimizer = value },
        "lr" => this with { Lr = Parse<float>(value, key, path) },
        "momentum" => this with { Momentum = Parse<float>(value, key, path) },
        "weight_decay" => this with { WeightDecay = Parse<float>(value, key, path) },
        "warmup_epochs" => this with { Warmup = Parse<int>(value, key, path) },
        "label_smoothing" => this with { LabelSmoothing = Parse<float>(value, key, path) },
        "augment" => this with { Augment = Parse<bool>(value, key, path) },
        "validation" => this with { Validation = Parse<int>(value, key, path) },
        "train_subset" => this with { TrainSubset = Parse<int>(value, key, path) },
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "not a recorded training setting"),
    };

    private static T Parse<T>(string text, string key, string path) where T : IParsable<T> =>
        T.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value
            : throw new ArgumentException($"--resume: {path} records settings.{key} = '{text}', which is not a {typeof(T).Name}");

    private static string Text(IFormattable v) => v.ToString(null, CultureInfo.InvariantCulture);
}
