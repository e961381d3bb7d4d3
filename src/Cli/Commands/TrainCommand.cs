using System.CommandLine;
using System.Globalization;
using SparseCore.Kernels;
using SparseCore.Kernels.Diagnostics;
using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Training;
using SparseCore.Models.Zoo;

namespace SparseCore.Cli.Commands;

/// <summary>`sparsecore train`: trains a backbone, evaluating on a held-out validation split each
/// epoch and on the test set once at the end; checkpoints every epoch and resumes from one.</summary>
internal static class TrainCommand
{
    /// <param name="args">The command line, kept in the run folder's command.txt.</param>
    public static Command Create(string[] args)
    {
        var model = new Option<string>("--model") { Description = $"backbone: {string.Join(", ", ModelZoo.Names)}", DefaultValueFactory = _ => "mlp" };
        var data = CommonOptions.Data();
        var device = CommonOptions.Device();
        var seed = CommonOptions.Seed();
        var epochs = NumberOptions.Whole("--epochs", "training epochs (in total, when resuming; may grow on resume)", 10, 1);
        var batch = NumberOptions.Whole("--batch-size", "mini-batch size", 128, 1);
        var optimizer = new Option<string>("--optimizer") { Description = "sgd | adamw", DefaultValueFactory = _ => "sgd" };
        var lr = NumberOptions.Real("--lr", "peak learning rate (cosine decay)", 0.05f);
        var momentum = NumberOptions.Real("--momentum", "SGD momentum", 0.9f, below: 1f);
        var wd = NumberOptions.Real("--weight-decay", "weight decay", 5e-4f);
        var warmup = NumberOptions.Whole("--warmup", "epochs of linear learning-rate warm-up before the cosine decay (deep nets without a stable start)", 0, 0);
        var smoothing = NumberOptions.Real("--label-smoothing", "label smoothing ε", 0f, below: 1f);
        var augment = new Option<bool>("--augment") { Description = "random crop (padding 2) and horizontal flip while training" };
        var validation = CommonOptions.Validation();
        var subset = NumberOptions.Whole("--train-subset", "train on only this many images (0: all)", 0, 0);
        var output = new Option<string>("--output") { Description = "parent folder of the run folder", DefaultValueFactory = _ => "runs" };
        var resume = new Option<string?>("--resume") { Description = "continue the run whose checkpoint (last.safetensors) or run folder this is, with its recorded settings" };
        var profile = CommonOptions.Profile();
        var cmd = new Command("train", "train a backbone on a dataset")
        {
            model, data, device, seed, epochs, batch, optimizer, lr, momentum, wd, warmup, smoothing, augment, validation, subset, output, resume, profile,
        };
        cmd.SetAction(r =>
        {
            var s = new TrainSettings(
                r.GetValue(model)!, r.GetValue(data)!, r.GetValue(device), r.GetValue(seed), r.GetValue(epochs), r.GetValue(batch),
                r.GetValue(optimizer)!, r.GetValue(lr), r.GetValue(momentum), r.GetValue(wd), r.GetValue(warmup), r.GetValue(smoothing), r.GetValue(augment),
                r.GetValue(validation), r.GetValue(subset), r.GetValue(output)!, r.GetValue(resume));
            var options = cmd.Options.ToDictionary(o => o.Name);
            return Run(s, name => r.GetResult(options[name]) is { Implicit: false }, "sparsecore " + string.Join(' ', args), r.GetValue(profile));
        });
        return cmd;
    }

    private static int Run(TrainSettings s, Func<string, bool> given, string command, bool profile)
    {
        string? checkpoint = null;
        ValidationSplit? recordedSplit = null;
        if (s.Resume is not null)
        {
            checkpoint = ResumeCheckpoint(s.Resume);
            var info = Checkpoint.ReadInfo(checkpoint);
            s = s.ResumedFrom(info, checkpoint, given);
            recordedSplit = info.Split;
        }
        if (!ModelZoo.Names.Contains(s.Model))
            throw new ArgumentException($"--model: unknown model '{s.Model}'; known models: {string.Join(", ", ModelZoo.Names)}");
        if (s.Optimizer is not ("sgd" or "adamw"))
            throw new ArgumentException($"--optimizer: unknown '{s.Optimizer}'; choose sgd or adamw");
        if (s.Warmup >= s.Epochs)
            throw new ArgumentException($"--warmup must be in [0, --epochs {s.Epochs}), got {s.Warmup}");

        var (train, test) = DataSource.Load(s.Data, (long)s.Seed);
        var split = ValidationSplit.For(train.Count, s.Validation, (long)s.Seed);
        if (recordedSplit is not null && recordedSplit != split)
            throw new ArgumentException($"--data: the run at {checkpoint} held out {recordedSplit.Count} of {recordedSplit.Of} training images; {s.Data} now has {train.Count}");
        s = s with { Validation = split.Count };
        var (trainIdx, valIdx) = split.Draw();
        if (s.TrainSubset > 0) trainIdx = trainIdx[..Math.Min(s.TrainSubset, trainIdx.Length)];
        using var backend = Devices.Create(s.Device);

        string runFolder;
        if (checkpoint is not null)
        {
            runFolder = Path.GetDirectoryName(Path.GetFullPath(checkpoint))!;
            RunFolder.Reopen(runFolder, "--resume");
        }
        else runFolder = RunFolder.Create(s.Output, $"{DateTime.Now:yyyyMMdd-HHmmss}-{s.Model}", command);
        try
        {
            return Train(s, train, test, split, trainIdx, valIdx, backend, runFolder, checkpoint, profile);
        }
        catch when (checkpoint is null)
        {
            RunFolder.RemoveIfUnused(runFolder);
            throw;
        }
    }

    private static int Train(TrainSettings s, ImageDataset train, ImageDataset test, ValidationSplit split, int[] trainIdx, int[] valIdx,
                             Backend backend, string runFolder, string? checkpoint, bool profile)
    {
        Console.WriteLine($"train {s.Model} on {s.Data} ({trainIdx.Length} train / {valIdx.Length} validation / {test.Count} test) " +
                          $"on {backend.Name} ({backend.DeviceDescription}); run folder {runFolder}");

        using var net = ModelZoo.Create(s.Model, new ModuleInit(backend, s.Seed), train.Channels, train.Height, train.Width, train.ClassCount);
        using Optimizer opt = s.Optimizer == "sgd"
            ? new Sgd(net.Parameters(), s.Lr, s.Momentum, s.WeightDecay, nesterov: true)
            : new AdamW(net.Parameters(), s.Lr, weightDecay: s.WeightDecay);
        var augment = s.Augment ? new AugmentPipeline(new RandomCrop(train.Height, train.Width, padding: 2), new HorizontalFlip()) : null;
        using var trainLoader = new DataLoader(train, s.BatchSize, shuffle: true, seed: (long)s.Seed, indices: trainIdx, augment: augment);
        // Evaluating at the training batch size reuses the pooled buffers of the training step's
        // shapes; a larger batch would cache a second set (ResNet-50 at 128: 6.3 GB resident, not 11.6).
        using var valLoader = valIdx.Length > 0 ? new DataLoader(train, s.BatchSize, shuffle: false, indices: valIdx) : null;
        using var testLoader = new DataLoader(test, s.BatchSize, shuffle: false);

        LrSchedule schedule = new CosineSchedule((s.Epochs - s.Warmup) * trainLoader.BatchCount);
        if (s.Warmup > 0) schedule = new WarmupSchedule(s.Warmup * trainLoader.BatchCount, schedule);
        var options = new TrainerOptions
        {
            Epochs = s.Epochs, RunFolder = runFolder, LabelSmoothing = s.LabelSmoothing, CheckpointEvery = 1,
            Model = new ModelDescription(s.Model, train.Channels, train.Height, train.Width, train.ClassCount),
            Split = split, Settings = s.ToDictionary(),
        };
        var trainer = new Trainer(net, opt, schedule, options, ConsoleProgress.ForConsole());
        if (checkpoint is not null)
        {
            var info = trainer.Resume(checkpoint);
            Console.WriteLine($"resumed from {checkpoint} after epoch {info.Epoch} (step {info.GlobalStep})");
        }
        var profiler = profile ? backend.Profiler = new Profiler() : null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        trainer.Fit(trainLoader, valLoader);
        var result = Trainer.Evaluate(net, testLoader);
        clock.Stop();
        backend.Profiler = null;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"test accuracy {result.Accuracy:P2} (loss {result.Loss:F4}) on {result.Samples} images after {trainer.CompletedEpochs} epochs ({clock.Elapsed.TotalSeconds:F1}s this session)"));
        TrainingPlot.Write(Path.Combine(runFolder, "training.png"), trainer.History, $"{s.Model} on {s.Data}");
        TrainReport.Write(runFolder, s.Model, backend, trainer.History, result, clock.Elapsed, net.ParameterCount);
        if (profiler is not null)
            ProfileTable.Write(Path.Combine(runFolder, "profile.md"), profiler, clock.Elapsed.TotalSeconds, $"train {s.Model} on {backend.Name}, {trainer.CompletedEpochs} epochs and the test");
        return 0;
    }

    /// <summary>--resume takes a checkpoint file or the run folder holding last.safetensors.</summary>
    private static string ResumeCheckpoint(string resume)
    {
        string path = Directory.Exists(resume) ? Path.Combine(resume, Checkpoint.LastFileName) : resume;
        if (!File.Exists(path)) throw new ArgumentException($"--resume: no checkpoint at {path}");
        return path;
    }
}
