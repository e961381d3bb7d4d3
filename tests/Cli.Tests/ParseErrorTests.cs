namespace SparseCore.Cli.Tests;

/// <summary>A command line that does not parse is one line naming the option and what it takes, exit 2 — no .NET type names, no help dump.</summary>
public class ParseErrorTests
{
    [Theory]
    [InlineData("train --lr abc", "error: --lr takes a number ≥ 0, got 'abc'")]
    [InlineData("train --lr NaN", "error: --lr takes a number ≥ 0, got 'NaN'")]
    [InlineData("train --lr -1", "error: --lr takes a number ≥ 0, got '-1'")]
    [InlineData("train --lr Infinity", "error: --lr takes a number ≥ 0, got 'Infinity'")]
    [InlineData("train --epochs 99999999999", "error: --epochs takes a whole number ≥ 1, got '99999999999'")]
    [InlineData("train --epochs 0", "error: --epochs takes a whole number ≥ 1, got '0'")]
    [InlineData("train --seed -1", "error: --seed takes a whole number in [0, 18446744073709551615], got '-1'")]
    [InlineData("train --label-smoothing 1.5", "error: --label-smoothing takes a number in [0, 1), got '1.5'")]
    [InlineData("train --momentum 1", "error: --momentum takes a number in [0, 1), got '1'")]
    [InlineData("prune --batch-size 2.5", "error: --batch-size takes a whole number ≥ 1, got '2.5'")]
    [InlineData("prune --sparsity x", "error: --sparsity takes a number in [0, 1), got 'x'")]
    [InlineData("info --classes -3", "error: --classes takes a whole number ≥ 1, got '-3'")]
    [InlineData("frobnicate", "error: unknown command 'frobnicate'; the commands are info, train, eval, explain, prune, sweep, report, selftest, gpu-check, bench")]
    [InlineData("", "error: no command given; the commands are info, train, eval, explain, prune, sweep, report, selftest, gpu-check, bench")]
    [InlineData("train --bogus", "error: unknown option or argument '--bogus' for 'train'")]
    public void A_bad_command_line_is_one_plain_line(string line, string expected)
    {
        var (exit, output, error) = CliRunner.Run(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(2, exit);
        Assert.StartsWith(expected, error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.DoesNotContain("System.", error);
        Assert.Equal("", output); // no help text
    }
}
