namespace SparseCore.Cli.Tests;

/// <summary>A user's mistake is one clear line on stderr and exit code 2, never a stack trace.</summary>
public class BadInputTests
{
    [Theory]
    [InlineData("--model", "resnet9000", "unknown model 'resnet9000'")]
    [InlineData("--optimizer", "lbfgs", "unknown 'lbfgs'")]
    [InlineData("--device", "tpu", "unknown device 'tpu'")]
    [InlineData("--data", "/no/such/folder", "'/no/such/folder' is neither a known dataset")]
    [InlineData("--epochs", "0", "--epochs takes a whole number ≥ 1")]
    [InlineData("--warmup", "10", "--warmup must be in [0, --epochs 10)")]
    public void Train_rejects_bad_options_with_a_clear_message(string option, string value, string expected)
    {
        var (exit, _, error) = CliRunner.Run("train", option, value, "--output", Path.GetTempPath());
        Assert.Equal(2, exit);
        Assert.Contains(expected, error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void A_folder_without_idx_files_names_the_missing_file()
    {
        string folder = Directory.CreateTempSubdirectory("sparsecore-cli-").FullName;
        try
        {
            var (exit, _, error) = CliRunner.Run("train", "--data", folder);
            Assert.Equal(2, exit);
            Assert.Contains("train-images-idx3-ubyte", error);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("eval", "--checkpoint", "/no/such.safetensors", "no file at /no/such.safetensors")]
    [InlineData("info", "--model", "alexnet", "unknown model 'alexnet'")]
    [InlineData("info", "--input", "3x32", "is not CxHxW")]
    [InlineData("train", "--resume", "/no/such/run", "no checkpoint at /no/such/run")]
    public void Other_commands_reject_bad_input_clearly(string command, string option, string value, string expected)
    {
        string[] args = command == "info" && option == "--input" ? [command, "--model", "resnet20", option, value] : [command, option, value];
        var (exit, _, error) = CliRunner.Run(args);
        Assert.Equal(2, exit);
        Assert.Contains(expected, error);
    }
}
