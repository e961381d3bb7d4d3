using System.CommandLine;
using System.Globalization;
using SparseCore.Kernels;
using SparseCore.Models.Data;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Training;
using SparseCore.Models.Zoo;

namespace SparseCore.Cli.Commands;

/// <summary>`sparsecore train`: trains a backbone, evaluating on a held-out validation split each
/// epoch and on the test set once at the end.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = $"backbone: {string.Join(", ", ModelZoo.Names)}", DefaultValueFactory = _ => "mlp" };
        var data = CommonOptions.Data();
        var device = CommonOptions.Device();
        var seed = CommonOptions.Seed();
        var epochs = new Option<int>("--epochs") { Description = "training epochs", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch-size") { Description = "mini-batch size", DefaultValueFactory = _ => 128 };
        var optimizer = new Option<string>("--optimizer") { Description = "sgd | adamw", DefaultValueFactory = _ => "sgd" };
        var lr = new Option<float>("--lr") { Description = "peak learning rate (cosine decay)", DefaultValueFactory = _ => 0.05f };
        var momentum = new Option<float>("--momentum") { Description = "SGD momentum", DefaultValueFactory = _ => 0.9f };
        var wd = new Option<float>("--weight-decay") { Description = "weight decay", DefaultValueFactory = _ => 5e-4f };
        var validation = new Option<int>("--validation") { Description = "training images held out for validation", DefaultValueFactory = _ => 5000 };
        var output = new Option<string>("--output") { Description = "parent folder of the run folder", DefaultValueFactory = _ => "runs" };
        var cmd = new Command("train", "train a backbone on a dataset")
        {
            model, data, device, seed, epochs, batch, optimizer, lr, momentum, wd, validation, output,
        };
        cmd.SetAction(r => Run(new TrainSettings(
            r.GetValue(model)!, r.GetValue(data)!, r.GetValue(device), r.GetValue(seed), r.GetValue(epochs), r.GetValue(batch),
            r.GetValue(optimizer)!, r.GetValue(lr), r.GetValue(momentum), r.GetValue(wd), r.GetValue(validation), r.GetValue(output)!)));
        return cmd;
    }

    private sealed record TrainSettings(string Model, string Data, string? Device, ulong Seed, int Epochs, int BatchSize,
                                        string Optimizer, float Lr, float Momentum, float WeightDecay, int Validation, string Output);

    private static int Run(TrainSettings s)
    {
        if (s.Epochs <= 0) throw new ArgumentException($"--epochs must be positive, got {s.Epochs}");
        if (s.BatchSize <= 0) throw new ArgumentException($"--batch-size must be positive, got {s.BatchSize}");
        if (!ModelZoo.Names.Contains(s.Model))
            throw new ArgumentException($"--model: unknown model '{s.Model}'; known models: {string.Join(", ", ModelZoo.Names)}");
        if (s.Optimizer is not ("sgd" or "adamw"))
            throw new ArgumentException($"--optimizer: unknown '{s.Optimizer}'; choose sgd or adamw");
        var (train, test) = DataSource.Load(s.Data);
        using var backend = Devices.Create(s.Device);
        var (trainIdx, valIdx) = DataSplit.TrainValidation(train.Count, s.Validation, (long)s.Seed);
        string runFolder = Path.Combine(s.Output, $"{DateTime.Now:yyyyMMdd-HHmmss}-{s.Model}");
        Directory.CreateDirectory(runFolder);
        Console.WriteLine($"train {s.Model} on {train.Source} ({trainIdx.Length} train / {valIdx.Length} validation / {test.Count} test) " +
                          $"on {backend.Name} ({backend.DeviceDescription}); run folder {runFolder}");

        using var net = ModelZoo.Create(s.Model, new ModuleInit(backend, s.Seed), train.Channels, train.Height, train.Width, train.ClassCount);
        using Optimizer opt = s.Optimizer switch
        {
            "sgd" => new Sgd(net.Parameters(), s.Lr, s.Momentum, s.WeightDecay, nesterov: true),
            _ => new AdamW(net.Parameters(), s.Lr, weightDecay: s.WeightDecay),
        };
        using var trainLoader = new DataLoader(train, s.BatchSize, shuffle: true, seed: (long)s.Seed, indices: trainIdx);
        using var valLoader = valIdx.Length > 0 ? new DataLoader(train, 1000, shuffle: false, indices: valIdx) : null;
        using var testLoader = new DataLoader(test, 1000, shuffle: false);

        var schedule = new CosineSchedule(s.Epochs * trainLoader.BatchCount);
        var trainer = new Trainer(net, opt, schedule, new TrainerOptions { Epochs = s.Epochs, RunFolder = runFolder }, ConsoleProgress.ForConsole());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        trainer.Fit(trainLoader, valLoader);
        var result = Trainer.Evaluate(net, testLoader);
        clock.Stop();

        string summary = string.Create(CultureInfo.InvariantCulture,
            $"test accuracy {result.Accuracy:P2} (loss {result.Loss:F4}) on {result.Samples} images after {s.Epochs} epochs in {clock.Elapsed.TotalSeconds:F1}s");
        Console.WriteLine(summary);
        TrainingPlot.Write(Path.Combine(runFolder, "training.png"), trainer.History, $"{s.Model} on {s.Data}");
        TrainReport.Write(runFolder, s.Model, backend, trainer.History, result, clock.Elapsed, net.ParameterCount);
        return 0;
    }
}
