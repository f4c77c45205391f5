<#
  Starts Command Center from this folder: checks Node, installs dependencies and builds the
  UI when they are missing, stops the server that already holds the same data directory
  (by the pid in its .lock file, never by process name), then serves until Ctrl-C.
  The logic lives in the TypeScript entry (src/cli.ts); this script only calls it.

  .\run-command-center.ps1 -Host 127.0.0.1 -Port 8787 -DataDir .\data
#>
[CmdletBinding()]
param(
  # $Host is PowerShell's own read-only variable, so the parameter is named BindHost and answers to -Host.
  [Alias('Host')]
  [string]$BindHost = '127.0.0.1',
  [ValidateRange(0, 65535)]
  [int]$Port = 8787,
  [string]$DataDir = (Join-Path $PSScriptRoot 'data')
)

$ErrorActionPreference = 'Stop'
Set-Location -LiteralPath $PSScriptRoot

function Write-Status([string]$Message, [ConsoleColor]$Color = 'Cyan') {
  Write-Host "[command-center] $Message" -ForegroundColor $Color
}

$node = Get-Command node -ErrorAction SilentlyContinue
if (-not $node) {
  Write-Status 'Node.js was not found. Install Node 20 or newer from the official installer, then run this again.' Red
  exit 1
}
$version = (& node --version).TrimStart('v')
if ([int]($version.Split('.')[0]) -lt 20) {
  Write-Status "Node $version is too old; Command Center needs Node 20 or newer." Red
  exit 1
}
Write-Status "Node $version" Green

& node scripts/ensure-deps.js
if ($LASTEXITCODE -ne 0) { Write-Status 'Installing dependencies failed.' Red; exit $LASTEXITCODE }

& node bin/command-center.js stop --data-dir $DataDir
if ($LASTEXITCODE -ne 0) { Write-Status "Could not stop the server that holds $DataDir." Red; exit $LASTEXITCODE }

& node scripts/ensure-build.js
if ($LASTEXITCODE -ne 0) { Write-Status 'Building the UI failed.' Red; exit $LASTEXITCODE }

Write-Status "Starting on http://${BindHost}:$Port (data: $DataDir); Ctrl-C stops it." Green
& node bin/command-center.js serve --host $BindHost --port $Port --data-dir $DataDir
$code = $LASTEXITCODE
if ($code -eq 0) { Write-Status 'Stopped.' Yellow } else { Write-Status "Exited with code $code." Red }
exit $code
