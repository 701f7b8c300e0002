Attribute VB_Name = "ChurnkitRibbon"
Option Explicit

' The one callback of every button on the Churn tab (customUI14.xml): it hands the
' button's id and tag (the ribbon's language) to the Python dispatcher, addin.ribbon.dispatch.
' Every action works on the active workbook; without one (none is open, or the workbook is
' in Protected View) RunPython would stop with error 91, so the button says what to do.
Sub ChurnkitButton(control As IRibbonControl)
    If ActiveWorkbook Is Nothing Then
        MsgBox NoWorkbookMessage(), vbInformation, "churnkit"
        Exit Sub
    End If
    RunPython "import addin.ribbon as r; r.dispatch('" & control.Id & "', '" & control.Tag & "')"
End Sub
