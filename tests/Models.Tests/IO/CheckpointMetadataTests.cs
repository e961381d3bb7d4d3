using SparseCore.Kernels.Cpu;
using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Tests.Data;
using SparseCore.Models.Training;

namespace SparseCore.Models.Tests.IO;

/// <summary>
/// What a checkpoint says besides its tensors: the input normalisation and validation split a
/// network was trained with, no wall-clock time (two identical runs write identical files), and
/// PyTorch's leniency about a missing batch-norm step counter.
/// </summary>
public class CheckpointMetadataTests
{
    private static readonly ModelDescription Description = new("mlp", 3, 2, 2, 4);

    [Fact]
    public void Every_described_checkpoint_records_the_input_normalisation_and_the_split()
    {
        using var temp = new TempFolder();
        using var backend = new CpuBackend();
        using var net = new Sequential(new Linear(new ModuleInit(backend, 1), 12, 4));
        string path = Path.Combine(temp.Path, "net.safetensors");
        Checkpoint.Save(path, net, info: new CheckpointInfo { Model = Description, Split = new ValidationSplit(-7, 150, 1497) });

        var info = Checkpoint.ReadInfo(path);
        Assert.NotNull(info.Input);
        Assert.Equal([0f, 0f, 0f], info.Input!.Mean);
        Assert.Equal([1f, 1f, 1f], info.Input.Std);
        Assert.True(info.Input.IsPixelUnit);
        Assert.Equal(new ValidationSplit(-7, 150, 1497), info.Split);

        Checkpoint.Save(path, net, info: new CheckpointInfo { Model = Description, Input = new([0.5f, 0.4f, 0.3f], [0.2f, 0.2f, 0.25f]) });
        var other = Checkpoint.ReadInfo(path).Input!;
        Assert.Equal([0.5f, 0.4f, 0.3f], other.Mean);
        Assert.False(other.IsPixelUnit);
    }

    [Fact]
    public void A_normalisation_with_the_wrong_channel_count_names_the_field()
    {
        using var temp = new TempFolder();
        using var backend = new CpuBackend();
        using var net = new Sequential(new Linear(new ModuleInit(backend, 1), 12, 4));
        string path = Path.Combine(temp.Path, "net.safetensors");
        Checkpoint.Save(path, net, info: new CheckpointInfo { Model = Description, Input = new([0f, 0f], [1f, 1f]) });
        var e = Assert.Throws<DataFormatException>(() => Checkpoint.ReadInfo(path));
        Assert.Equal("__metadata__.input.mean", e.Field);
    }

    [Fact]
    public void Two_saves_that_differ_only_in_wall_clock_time_are_the_same_bytes()
    {
        using var temp = new TempFolder();
        using var backend = new CpuBackend();
        using var net = new Sequential(new Linear(new ModuleInit(backend, 1), 12, 4));
        byte[] Save(double seconds)
        {
            string path = Path.Combine(temp.Path, $"{seconds}.safetensors");
            Checkpoint.Save(path, net, info: new CheckpointInfo
            {
                Model = Description, Epoch = 1, History = [new EpochMetrics(1, 0.5, 0.8, 0.6, 0.7, 0.05, seconds, 1000 / seconds)],
            });
            return File.ReadAllBytes(path);
        }
        Assert.Equal(Save(1.25), Save(3.5));
    }

    [Fact]
    public void Resume_takes_the_times_back_from_metrics_csv()
    {
        using var temp = new TempFolder();
        var history = new[] { new EpochMetrics(1, 0.5, 0.8, null, null, 0.05, 0, 0), new EpochMetrics(2, 0.4, 0.9, null, null, 0.01, 0, 0) };
        string csv = Path.Combine(temp.Path, "metrics.csv");
        MetricsCsv.Write(csv, [history[0] with { Seconds = 2.5, SamplesPerSecond = 400 }]);

        var timed = MetricsCsv.WithTimes(history, csv);
        Assert.Equal((2.5, 400.0), (timed[0].Seconds, timed[0].SamplesPerSecond));
        Assert.Equal((0.0, 0.0), (timed[1].Seconds, timed[1].SamplesPerSecond)); // not in the file: as it was
        Assert.Equal(history, MetricsCsv.WithTimes(history, Path.Combine(temp.Path, "absent.csv")));
    }

    [Fact]
    public void A_batch_norm_without_its_step_counter_loads_with_the_counter_at_zero()
    {
        using var temp = new TempFolder();
        using var backend = new CpuBackend();
        using var saved = new Sequential(new BatchNorm2d(new ModuleInit(backend, 1), 3));
        saved.Train();
        using (var x = Tensors.Tensor.FromArray(backend, Enumerable.Range(0, 24).Select(i => (float)i).ToArray(), new Tensors.Shape(2, 3, 2, 2)))
        using (saved.Forward(x)) { } // the counter moves to 1, the running statistics away from their start
        string path = Path.Combine(temp.Path, "bn.safetensors");
        var writer = new SafetensorsWriter();
        foreach (var (name, b) in saved.NamedBuffers().Where(b => !b.Name.EndsWith("num_batches_tracked", StringComparison.Ordinal))) writer.Add(name, b);
        foreach (var (name, p) in saved.NamedParameters()) writer.Add(name, p.Value);
        writer.Write(path); // as a PyTorch export without counters

        using var loaded = new Sequential(new BatchNorm2d(new ModuleInit(backend, 2), 3));
        using (var x = Tensors.Tensor.FromArray(backend, new float[24], new Tensors.Shape(2, 3, 2, 2)))
        using (loaded.Forward(x)) { } // its own counter at 1 before loading
        Checkpoint.Load(path, loaded);
        var buffers = loaded.NamedBuffers().ToDictionary(b => b.Name, b => b.Buffer.ToArray());
        Assert.Equal([0f], buffers["0.num_batches_tracked"]);
        Assert.Equal(saved.NamedBuffers().First(b => b.Name == "0.running_mean").Buffer.ToArray(), buffers["0.running_mean"]);
    }
}
