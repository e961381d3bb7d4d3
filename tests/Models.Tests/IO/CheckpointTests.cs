using SparseCore.Kernels;
using SparseCore.Kernels.Cpu;
using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Tests.Data;
using SparseCore.Models.Training;
using SparseCore.Tensors;
using static SparseCore.Models.Tests.IO.SafetensorsFiles;

namespace SparseCore.Models.Tests.IO;

public class CheckpointTests
{
    /// <summary>A layer with saved-but-untrained state, as BatchNorm's running statistics are.</summary>
    private sealed class Shift : Module
    {
        public Shift(Backend backend, int features, float value)
        {
            Offset = AddBuffer("running_mean", Tensor.Full(backend, new Shape(features), value));
            AddBuffer("num_batches_tracked", Tensor.Full(backend, new Shape(), value));
        }

        public Tensor Offset { get; }

        protected override Tensor ForwardCore(Tensor x) => x;
    }

    [Fact]
    public void Two_optimizers_round_trip_under_their_own_prefixes_and_a_missing_one_is_refused()
    {
        using var temp = new TempFolder();
        using var backend = new CpuBackend();
        string path = Path.Combine(temp.Path, "two.safetensors");
        Sequential Net() => new(new Linear(new ModuleInit(backend, 1), 3, 5), new Linear(new ModuleInit(backend, 2), 5, 2));
        using var net = Net();
        var first = net.Parameters().Take(2).ToArray();
        var second = net.Parameters().Skip(2).ToArray();
        using var sgd = new Sgd(first, 0.1f, momentum: 0.9f, weightDecay: 0.01f, withoutDecay: [first[1]]);
        using var adam = new AdamW(second, 0.01f);
        for (int step = 0; step < 2; step++)
        {
            using var scope = new TensorScope();
            F.SumAll(F.Mul(net.Forward(Tensor.Full(backend, new Shape(4, 3), 0.5f)), net.Forward(Tensor.Full(backend, new Shape(4, 3), 0.25f)))).Backward();
            sgd.Step();
            adam.Step();
            sgd.ZeroGrad();
            adam.ZeroGrad();
        }
        Checkpoint.Save(path, net, [sgd, adam]);

        using var restored = Net();
        using var sgd2 = new Sgd(restored.Parameters().Take(2), 0.1f, momentum: 0.9f);
        using var adam2 = new AdamW(restored.Parameters().Skip(2), 0.01f);
        Checkpoint.Load(path, restored, [sgd2, adam2]);
        Assert.Equal(2, adam2.StepCount);
        Assert.Equal(sgd.State[first[0]][0].ToArray(), sgd2.State[restored.Parameters().First()][0].ToArray());
        Assert.Equal(adam.State[second[1]][1].ToArray(), adam2.State[restored.Parameters().Last()][1].ToArray());

        // Loading weights alone ignores both optimizers' state; naming only one leaves the other's in doubt.
        using var weightsOnly = Net();
        Checkpoint.Load(path, weightsOnly);
        using var sgd3 = new Sgd(weightsOnly.Parameters().Take(2), 0.1f, momentum: 0.9f);
        using var wrong = new Sgd(weightsOnly.Parameters().Skip(2), 0.1f, momentum: 0.9f);
        var e = Assert.Throws<DataFormatException>(() => Checkpoint.Load(path, weightsOnly, [sgd3, wrong]));
        Assert.Contains("optimizer1", e.Message);
    }

    [Fact]
    public void Dropout_mask_streams_resume_where_they_stopped()
    {
        using var temp = new TempFolder();
        using var backend = new CpuBackend();
        string path = Path.Combine(temp.Path, "dropout.safetensors");
        using var trained = new Sequential(new Linear(new ModuleInit(backend, 1), 4, 4), new Dropout(0.5f, new ModuleInit(backend, 1)));
        using (var scope = new TensorScope())
            for (int i = 0; i < 3; i++) trained.Forward(Tensor.Full(backend, new Shape(2, 4), 1f));
        Checkpoint.Save(path, trained);

        using var resumed = new Sequential(new Linear(new ModuleInit(backend, 2), 4, 4), new Dropout(0.5f, new ModuleInit(backend, 1)));
        Checkpoint.Load(path, resumed);

        Assert.Equal(3UL, ((Dropout)resumed.Layers[1]).Calls);
        using var scope2 = new TensorScope();
        var x = Tensor.Full(backend, new Shape(2, 4), 1f);
        Assert.Equal(trained.Forward(x).ToArray(), resumed.Forward(x).ToArray());
    }

    // Odd, irregular widths, as a pruned network has: 11 → 3 → 17 → 5.
    private static Sequential Pruned(Backend backend, ulong seed, int hidden1 = 3, int hidden2 = 17) =>
        new(new Normalize(0.25f, 0.5f),
            new Linear(new ModuleInit(backend, seed), 11, hidden1), new ReLU(),
            new Linear(new ModuleInit(backend, seed + 100), hidden1, hidden2), new ReLU(),
            new Linear(new ModuleInit(backend, seed + 200), hidden2, 5),
            new Shift(backend, 5, seed));

    private static float[] Outputs(Module model, Backend backend)
    {
        var x = Enumerable.Range(0, 4 * 11).Select(i => MathF.Sin(i * 0.7f)).ToArray();
        using var scope = new TensorScope();
        using var noGrad = Autograd.NoGrad();
        return model.Forward(Tensor.FromArray(backend, x, new Shape(4, 11))).ToArray();
    }

    private static Dictionary<string, float[]> State(Module model) =>
        model.NamedParameters().Select(p => (p.Name, p.Parameter.Value))
            .Concat(model.NamedBuffers())
            .ToDictionary(t => t.Item1, t => t.Item2.ToArray());

    [Fact]
    public void PrunedWidthNetworkRoundTripsWithIdenticalOutputsAndHeader()
    {
        using var temp = new TempFolder();
        using var backend = new CpuBackend();
        using var saved = Pruned(backend, seed: 1);
        string path = Path.Combine(temp.Path, "pruned.safetensors");
        var info = new CheckpointInfo
        {
            Model = new ModelDescription("mlp", 1, 1, 11, 5, "1=3,3=17"),
            Epoch = 7,
            GlobalStep = 1234,
            Seed = -42,
            History = [new EpochMetrics(1, 2.5, 0.125, null, 0.5, 0.1, 3.25, double.NaN)],
            Settings = new Dictionary<string, string> { ["lr"] = "0.1", ["augment"] = "crop+flip" },
        };
        Checkpoint.Save(path, saved, info: info);

        var read = Checkpoint.ReadInfo(path);
        Assert.Equal(info.Model with { Widths = null }, read.Model! with { Widths = null });
        Assert.Equal("1=3,3=17", read.Model!.Widths);
        Assert.Equal((7, 1234, -42L), (read.Epoch, read.GlobalStep, read.Seed));
        // Wall-clock times stay out of the file (metrics.csv keeps them).
        Assert.Equal(info.History.Select(h => h with { Seconds = 0, SamplesPerSecond = 0 }), read.History);
        Assert.Equal(info.Settings, read.Settings);

        using var loaded = Pruned(backend, seed: 2);
        Assert.NotEqual(Outputs(saved, backend), Outputs(loaded, backend));
        Checkpoint.Load(path, loaded);
        Assert.Equal(Outputs(saved, backend), Outputs(loaded, backend));
        Assert.Equal(State(saved), State(loaded));
        Assert.Equal(
            ["1.weight", "1.bias", "3.weight", "3.bias", "5.weight", "5.bias", "6.running_mean", "6.num_batches_tracked"],
            State(loaded).Keys);
    }

    [Fact]
    public void ShapeMismatchNamesFileTensorAndBothShapes()
    {
        using var temp = new TempFolder();
        using var backend = new CpuBackend();
        using var saved = Pruned(backend, seed: 1);
        string path = Path.Combine(temp.Path, "w.safetensors");
        Checkpoint.Save(path, saved);

        using var wider = Pruned(backend, seed: 2, hidden1: 4);
        var before = State(wider);
        var e = Assert.Throws<DataFormatException>(() => Checkpoint.Load(path, wider));
        Assert.Equal((path, "tensor '1.weight' shape"), (e.Path, e.Field));
        Assert.Contains("the file has [3, 11], the model's parameter is [4, 11]", e.Problem);
        Assert.Equal(before, State(wider)); // nothing was loaded
    }

    [Fact]
    public void MissingAndUnexpectedTensorsAreErrors()
    {
        using var temp = new TempFolder();
        using var backend = new CpuBackend();
        string path = Path.Combine(temp.Path, "w.safetensors");
        using (var two = new Sequential(new Linear(new ModuleInit(backend, 1), 3, 5)))
            Checkpoint.Save(path, two);

        using var three = new Sequential(new Linear(new ModuleInit(backend, 1), 3, 5), new Linear(new ModuleInit(backend, 1), 5, 2));
        var missing = Assert.Throws<DataFormatException>(() => Checkpoint.Load(path, three));
        Assert.Equal((path, "tensor '1.weight'"), (missing.Path, missing.Field));
        Assert.Contains("missing: the model's parameter [2, 5] is not in the file", missing.Problem);

        Checkpoint.Save(path, three);
        using var one = new Sequential(new Linear(new ModuleInit(backend, 1), 3, 5));
        var unexpected = Assert.Throws<DataFormatException>(() => Checkpoint.Load(path, one));
        Assert.Equal((path, "tensor '1.bias'"), (unexpected.Path, unexpected.Field));
        Assert.Contains("unexpected", unexpected.Problem);
    }

    [Fact]
    public void TorchFileWithInt64BatchCounterLoads()
    {
        using var temp = new TempFolder();
        using var backend = new CpuBackend();
        // A state dict as PyTorch saves it: Linear(2, 1) weights plus BatchNorm counters in I64.
        string header = "{\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}," +
                        F32("0.weight", "[1,2]", 4, 12) + "," +
                        "\"1.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[12,20]}," +
                        F32("1.running_mean", "[1]", 20, 24) + "," +
                        "\"2.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[24,32]}}";
        string path = temp.Write("torch.safetensors",
            Encode(header, [.. Floats(0.5f, 2f, -1f), .. Int64s(938), .. Floats(0.75f), .. Int64s(5)]));

        // "1" keeps its counter (loaded from I64); "2.num_batches_tracked" has no home and is skipped.
        using var model = new Sequential(new Linear(new ModuleInit(backend, 1), 2, 1), new Shift(backend, 1, 0f));
        var info = Checkpoint.Load(path, model);
        var state = State(model);
        Assert.Equal([2f, -1f], state["0.weight"]);
        Assert.Equal([0.5f], state["0.bias"]);
        Assert.Equal([938f], state["1.num_batches_tracked"]);
        Assert.Equal([0.75f], state["1.running_mean"]);
        Assert.Equal((0, 0, (long?)null, (ModelDescription?)null), (info.Epoch, info.GlobalStep, info.Seed, info.Model));
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adamw")]
    [InlineData("adam")]
    public void OptimizerStateAndStepCountRoundTrip(string kind)
    {
        using var temp = new TempFolder();
        using var backend = new CpuBackend();
        string path = Path.Combine(temp.Path, "opt.safetensors");
        using var model = Pruned(backend, seed: 1);
        using var optimizer = MakeOptimizer(model, kind);
        model.Parameters().First().Frozen = true; // a frozen parameter has no state to save
        for (int i = 0; i < 3; i++) TrainStep(model, optimizer, backend);
        Checkpoint.Save(path, model, optimizer);

        using var model2 = Pruned(backend, seed: 2);
        using var optimizer2 = MakeOptimizer(model2, kind);
        model2.Parameters().First().Frozen = true;
        Checkpoint.Load(path, model2, optimizer2);
        Assert.Equal(3, optimizer2.StepCount);
        Assert.Equal(optimizer.State.Count, optimizer2.State.Count);
        var names = model.NamedParameters().ToDictionary(p => p.Parameter, p => p.Name);
        var names2 = model2.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        foreach (var (p, state) in optimizer.State)
            Assert.Equal(state.Select(t => t.ToArray()), optimizer2.State[names2[names[p]]].Select(t => t.ToArray()));

        // Both continue identically from here.
        TrainStep(model, optimizer, backend);
        TrainStep(model2, optimizer2, backend);
        Assert.Equal(State(model), State(model2));

        // Adam and AdamW keep the same state under the same names, but one's file is not the other's.
        using var other = MakeOptimizer(model2, kind switch { "sgd" => "adam", "adam" => "adamw", _ => "sgd" });
        var e = Assert.Throws<DataFormatException>(() => Checkpoint.Load(path, model2, other));
        Assert.Equal((path, "__metadata__.optimizer"), (e.Path, e.Field));
    }

    private static Optimizer MakeOptimizer(Module model, string kind) => kind switch
    {
        "adamw" => new AdamW(model.Parameters(), 1e-2f),
        "adam" => new Adam(model.Parameters(), 1e-2f, weightDecay: 1e-4f),
        _ => new Sgd(model.Parameters(), 1e-2f, momentum: 0.9f),
    };

    private static void TrainStep(Module model, Optimizer optimizer, Backend backend)
    {
        using var scope = new TensorScope();
        var x = Tensor.FromArray(backend, Enumerable.Range(0, 6 * 11).Select(i => MathF.Cos(i)).ToArray(), new Shape(6, 11));
        var loss = F.CrossEntropy(model.Forward(x), IntTensor.Labels(backend, [0, 1, 2, 3, 4, 0], 5));
        loss.Backward();
        optimizer.Step();
        optimizer.ZeroGrad();
    }

    [Fact]
    public void FailedSaveLeavesNoFileAndKeepsTheLastGoodOne()
    {
        using var temp = new TempFolder();
        using var backend = new CpuBackend();
        string path = Path.Combine(temp.Path, Checkpoint.LastFileName);
        using var model = Pruned(backend, seed: 1);
        Checkpoint.Save(path, model, info: new CheckpointInfo { Epoch = 1 });

        using var broken = Pruned(backend, seed: 3);
        broken.Parameters().Last().Value.Dispose(); // fails while writing, after the header
        Assert.Throws<ObjectDisposedException>(() => Checkpoint.Save(path, broken, info: new CheckpointInfo { Epoch = 2 }));

        Assert.Equal([path], Directory.EnumerateFileSystemEntries(temp.Path));
        Assert.Equal(1, Checkpoint.ReadInfo(path).Epoch);
    }

    [Fact]
    public void MalformedHeaderValueNamesTheKey()
    {
        using var temp = new TempFolder();
        string path = temp.Write("m.safetensors", Encode("{\"__metadata__\":{\"epoch\":\"three\"}}", []));
        var e = Assert.Throws<DataFormatException>(() => Checkpoint.ReadInfo(path));
        Assert.Equal((path, "__metadata__.epoch"), (e.Path, e.Field));
    }
}
