using SparseCore.Kernels.Cpu;
using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Tests.Data;
using SparseCore.Models.Training;
using SparseCore.Models.Zoo;

namespace SparseCore.Models.Tests.Training;

/// <summary>
/// A diverged run stops with an error naming stage, epoch and step, and leaves the last good
/// checkpoint as it was — never trains on in NaN, never writes a NaN checkpoint. The poison is
/// put in on purpose (a NaN gradient at a chosen step), so the tests know exactly where it starts.
/// </summary>
public class DivergenceTests
{
    private const int Batch = 20, Images = 100; // 5 steps per epoch

    /// <summary>Trains 3 epochs with a checkpoint each; at global step <paramref name="poisonStep"/> one gradient becomes NaN.</summary>
    private static TrainingDivergedException Diverge(string folder, int poisonStep)
    {
        using var backend = new CpuBackend();
        var data = SyntheticDataset.Create(Images, 1, 4, 4, 3, seed: 2);
        using var net = ModelZoo.Mlp(new ModuleInit(backend, 3), 16, [8], 3);
        using var opt = new Sgd(net.Parameters(), 0.05f, 0.9f, 0f);
        using var loader = new DataLoader(data, Batch, shuffle: true, seed: 4);
        int step = 0;
        var options = new TrainerOptions
        {
            Epochs = 3, RunFolder = folder, CheckpointEvery = 1, Stage = "stage 2",
            AfterBackward = model =>
            {
                if (step++ != poisonStep) return;
                var weight = model.Parameters().First();
                var grad = weight.Grad!.ToArray();
                grad[0] = float.NaN;
                backend.Upload<float>(grad, weight.Grad.Buffer);
            },
        };
        var trainer = new Trainer(net, opt, new CosineSchedule(3 * loader.BatchCount), options);
        return Assert.Throws<TrainingDivergedException>(() => trainer.Fit(loader, null));
    }

    [Fact]
    public void A_nan_loss_stops_training_naming_the_step_and_keeps_the_last_good_checkpoint()
    {
        using var temp = new TempFolder();
        // Poisoned at the 2nd step of epoch 2: that step's update makes the weights NaN, the 3rd step's loss shows it.
        var e = Diverge(temp.Path, poisonStep: Images / Batch + 1);
        Assert.Contains("stage 2 diverged: the loss is NaN at epoch 2, step 3 of 5", e.Message);
        Assert.Contains("checkpoint of epoch 1 is left as it was", e.Message);

        string last = Path.Combine(temp.Path, Checkpoint.LastFileName);
        Assert.Equal(1, Checkpoint.ReadInfo(last).Epoch);
        using var backend = new CpuBackend();
        using var net = ModelZoo.Mlp(new ModuleInit(backend, 9), 16, [8], 3);
        Checkpoint.Load(last, net);
        Assert.All(net.Parameters().SelectMany(p => p.Value.ToArray()), v => Assert.True(float.IsFinite(v)));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(temp.Path, "metrics.csv")).Length); // header + epoch 1
    }

    [Fact]
    public void A_weight_gone_bad_on_an_epoch_s_last_step_is_caught_before_its_checkpoint()
    {
        using var temp = new TempFolder();
        // The last step of epoch 1: its loss was finite, the update after it is not.
        var e = Diverge(temp.Path, poisonStep: Images / Batch - 1);
        Assert.Matches(@"^stage 2 diverged: '\d+\.weight' holds a non-finite value at the end of epoch 1 \(after step 5\)", e.Message);
        Assert.Contains("before any checkpoint was written", e.Message);
        Assert.False(File.Exists(Path.Combine(temp.Path, Checkpoint.LastFileName)));
    }
}
