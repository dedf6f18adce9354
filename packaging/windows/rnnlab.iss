; Inno Setup 6 script: the Windows installer for rnnlab, from the PyInstaller folder dist\rnnlab.
;
;   pyinstaller --noconfirm --clean --distpath dist --workpath build\pyinstaller packaging\rnnlab.spec
;   iscc /DAppVersion=0.1.0 packaging\windows\rnnlab.iss
;
; Output: dist\rnnlab-<version>-windows-x64-setup.exe. (Paths below are relative to this file.)
; Per-user install by default (no administrator rights needed on workshop laptops); "Install for all users" is offered
; when run as administrator. The app works offline; the installer downloads nothing.
;
; Signing (placeholder): the CI workflow signs rnnlab.exe, rnnlab-cli.exe and this setup.exe with signtool when the
; WINDOWS_CERT_PFX_BASE64 / WINDOWS_CERT_PASSWORD secrets exist (see .github/workflows/build.yml). To sign from Inno
; Setup itself instead, define a sign tool named "signtool" in the IDE (Tools > Configure Sign Tools), e.g.
;   signtool sign /f $qC:\certs\rnnlab.pfx$q /p $qPASSWORD$q /fd sha256 /tr http://timestamp.digicert.com /td sha256 $f
; and uncomment SignTool below.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "rnnlab"
#define AppPublisher "rnnlab developers"
#define AppExe "rnnlab.exe"
#define SourceDir "..\..\dist\rnnlab"

[Setup]
; A fixed GUID: upgrades replace the old version in place. Never change it.
AppId={{6F0C2B1E-7A4D-4C59-9D39-5B1E3F0A9C71}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=rnnlab-{#AppVersion}-windows-x64-setup
SetupIconFile=..\icons\rnnlab.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
LicenseFile=..\LICENSE.txt
; torch and Qt: ~600 MB unpacked, trimmed by packaging/trim.py as on Linux. LZMA2 at its strongest with one solid
; stream, as the Linux tarball's xz -9: the smallest download of the formats an installer can unpack (zstd is not one
; of Inno Setup's), and unpacking is seconds. Solid makes repair installs slower but the download smaller, which is
; what a workshop's Wi-Fi or a passed-round USB stick feels. A 256 MB dictionary (ultra64's is 64 MB) and 273 fast
; bytes find repeats across torch's and Qt's libraries further apart; building needs ~3 GB of RAM (4 MB + 11 x the
; dictionary, in the separate 64-bit process), installing 256 MB. No LZMANumBlockThreads: blocks would split the solid
; stream and lose those repeats.
Compression=lzma2/ultra64
SolidCompression=yes
LZMAUseSeparateProcess=yes
LZMADictionarySize=262144
LZMANumFastBytes=273
WizardStyle=modern
ChangesAssociations=no
CloseApplications=yes
; SignTool=signtool
; SignedUninstaller=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole PyInstaller folder: rnnlab.exe (the window), rnnlab-cli.exe (console: --selftest, train) and _internal\.
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; A previous version's _internal\ may hold libraries this one no longer ships; stale DLLs there can be loaded first.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Train RNNs, LSTMs and GRUs and watch them learn"
Name: "{autoprograms}\{#AppName} self-test"; Filename: "{cmd}"; Parameters: "/k ""{app}\rnnlab-cli.exe"" --selftest"; IconFilename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
