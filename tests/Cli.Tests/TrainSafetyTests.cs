using SparseCore.Models.IO;

namespace SparseCore.Cli.Tests;

/// <summary>
/// What `sparsecore train` does when things go wrong: divergence stops it, a resume cannot change
/// the run it continues, a refused run leaves no folder, small datasets work by default, identical
/// runs write identical checkpoints, and a killed write's temporary file is cleaned up.
/// </summary>
public sealed class TrainSafetyTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("sparsecore-train-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Runs => Path.Combine(root, "runs");

    private (int Exit, string Out, string Error) Train(string data, params string[] extra) =>
        CliRunner.Run(["train", "--data", data, "--device", "cpu", "--batch-size", "25", "--output", Runs, .. extra]);

    private string[] RunFolders() => Directory.Exists(Runs) ? Directory.GetDirectories(Runs) : [];

    [Fact]
    public void A_diverging_run_stops_with_an_error_and_leaves_no_run_folder()
    {
        string data = TinyIdx.Folder(root, 300, 50);
        var (exit, _, error) = Train(data, "--epochs", "2", "--validation", "50", "--lr", "1e6");
        Assert.Equal(2, exit);
        Assert.Matches(@"^error: training diverged: the loss is (NaN|∞|-∞) at epoch 1, step \d+ of 10", error);
        Assert.Empty(RunFolders());
    }

    [Theory]
    [InlineData("--batch-size", "50", "--batch-size 25")]
    [InlineData("--lr", "0.1", "--lr 0.05")]
    [InlineData("--train-subset", "100", "--train-subset 0")]
    [InlineData("--validation", "60", "--validation 50")]
    [InlineData("--seed", "3", "--seed 0")]
    [InlineData("--augment", null, "--augment false")]
    public void A_resume_refuses_an_option_that_changes_the_run_naming_its_recorded_value(string option, string? value, string recorded)
    {
        string data = TinyIdx.Folder(root, 300, 50);
        Assert.Equal(0, Train(data, "--epochs", "1", "--validation", "50").Exit);
        string run = Assert.Single(RunFolders());
        byte[] checkpoint = File.ReadAllBytes(Path.Combine(run, Checkpoint.LastFileName));

        string[] changed = value is null ? [option] : [option, value];
        var (exit, _, error) = CliRunner.Run(["train", "--resume", run, "--epochs", "2", "--device", "cpu", .. changed]);
        Assert.Equal(2, exit);
        Assert.Contains($"was trained with {recorded}", error);
        Assert.Equal(checkpoint, File.ReadAllBytes(Path.Combine(run, Checkpoint.LastFileName)));
    }

    [Fact]
    public void A_resume_refuses_other_data_and_fewer_epochs()
    {
        string data = TinyIdx.Folder(root, 300, 50);
        Assert.Equal(0, Train(data, "--epochs", "2", "--validation", "50").Exit);
        string run = Assert.Single(RunFolders());
        var (exit, _, error) = Train("synthetic", "--resume", run, "--epochs", "3");
        Assert.Equal(2, exit);
        Assert.Contains($"--data synthetic: the run at", error);
        (exit, _, error) = CliRunner.Run("train", "--resume", run, "--epochs", "1");
        Assert.Equal(2, exit);
        Assert.Contains("was planned for 2 epochs; --epochs may only grow", error);
    }

    [Fact]
    public void A_resume_given_only_the_folder_continues_with_the_recorded_settings_and_may_grow_the_epochs()
    {
        string data = TinyIdx.Folder(root, 300, 50);
        Assert.Equal(0, Train(data, "--epochs", "1", "--validation", "50", "--lr", "0.02", "--warmup", "0").Exit);
        string run = Assert.Single(RunFolders());

        // Every result-changing option left out: the recorded ones apply, not the defaults.
        var (exit, output, error) = CliRunner.Run("train", "--resume", run, "--epochs", "3", "--device", "cpu");
        Assert.True(exit == 0, error);
        Assert.Contains("(250 train / 50 validation / 50 test)", output);
        var info = Checkpoint.ReadInfo(Path.Combine(run, Checkpoint.LastFileName));
        Assert.Equal(3, info.Epoch);
        Assert.Equal(("0.02", "25", "3"), (info.Settings["lr"], info.Settings["batch_size"], info.Settings["epochs"]));
        Assert.Equal(4, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length);
        // The cosine now spans 3 epochs of 10 steps: epoch 2 (steps 10–19) runs at the 3-epoch curve.
        double lr2 = double.Parse(File.ReadAllLines(Path.Combine(run, "metrics.csv"))[2].Split(',')[5], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0.02 * 0.5 * (1 + Math.Cos(Math.PI * 19 / 30)), lr2, 5);
    }

    [Theory]
    [InlineData(300, "--validation", "300")]
    [InlineData(300, "--validation", "5000")]
    public void A_validation_split_that_leaves_nothing_to_train_on_is_refused_up_front(int images, string option, string value)
    {
        string data = TinyIdx.Folder(root, images, 50);
        var (exit, _, error) = Train(data, "--epochs", "1", option, value);
        Assert.Equal(2, exit);
        Assert.StartsWith($"error: --validation {value} leaves no image to train on: the training set has {images}", error);
        Assert.Empty(RunFolders());
    }

    [Fact]
    public void A_small_training_set_holds_out_a_tenth_by_default()
    {
        string data = TinyIdx.Folder(root, 1497, 50);
        var (exit, output, error) = Train(data, "--epochs", "1");
        Assert.True(exit == 0, error);
        Assert.Contains("(1348 train / 149 validation / 50 test)", output);
        var split = Checkpoint.ReadInfo(Path.Combine(Assert.Single(RunFolders()), Checkpoint.LastFileName)).Split;
        Assert.Equal(new SparseCore.Models.Data.ValidationSplit(0, 149, 1497), split);
    }

    [Fact]
    public void An_unwritable_output_folder_is_one_line_and_no_run()
    {
        string data = TinyIdx.Folder(root, 300, 50);
        var (exit, _, error) = CliRunner.Run("train", "--data", data, "--validation", "50", "--output", "/sys/sparsecore-runs");
        Assert.Equal(2, exit);
        Assert.StartsWith("error: --output: cannot write into /sys/sparsecore-runs", error);
    }

    [Fact]
    public void Two_identical_runs_write_identical_checkpoints_in_folders_of_their_own()
    {
        string data = TinyIdx.Folder(root, 300, 50);
        string name = $"{DateTime.Now:yyyyMMdd-HHmmss}-mlp";
        Directory.CreateDirectory(Path.Combine(Runs, name)); // a run of this second already holds the name
        File.WriteAllText(Path.Combine(Runs, name, "metrics.csv"), "");
        Assert.Equal(0, Train(data, "--epochs", "1", "--validation", "50").Exit);
        Assert.Equal(0, Train(data, "--epochs", "1", "--validation", "50").Exit);
        var runs = RunFolders().Where(f => File.Exists(Path.Combine(f, Checkpoint.LastFileName))).ToArray();
        Assert.Equal(2, runs.Length);
        Assert.Equal(File.ReadAllBytes(Path.Combine(runs[0], Checkpoint.LastFileName)), File.ReadAllBytes(Path.Combine(runs[1], Checkpoint.LastFileName)));
    }

    [Fact]
    public void A_resume_removes_the_temporary_file_a_killed_write_left()
    {
        string data = TinyIdx.Folder(root, 300, 50);
        Assert.Equal(0, Train(data, "--epochs", "1", "--validation", "50").Exit);
        string run = Assert.Single(RunFolders());
        string stale = Path.Combine(run, ".last.safetensors.999999999.tmp"); // beyond any pid: that writer is gone
        File.WriteAllText(stale, "half a checkpoint");
        Assert.Equal(0, CliRunner.Run("train", "--resume", run, "--epochs", "2", "--device", "cpu").Exit);
        Assert.False(File.Exists(stale));
    }

    [Fact]
    public void Eval_needs_only_the_test_files()
    {
        string data = TinyIdx.Folder(root, 300, 50);
        Assert.Equal(0, Train(data, "--epochs", "1", "--validation", "50").Exit);
        string checkpoint = Path.Combine(Assert.Single(RunFolders()), Checkpoint.LastFileName);
        File.Delete(Path.Combine(data, "train-images-idx3-ubyte"));
        File.WriteAllText(Path.Combine(data, "train-labels-idx1-ubyte"), "broken");
        var (exit, output, error) = CliRunner.Run("eval", "--checkpoint", checkpoint, "--data", data, "--device", "cpu");
        Assert.True(exit == 0, error);
        Assert.Contains("50 images", output);
    }
}
