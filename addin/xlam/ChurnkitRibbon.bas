Attribute VB_Name = "ChurnkitRibbon"
Option Explicit

' The one callback of every button on the Churn tab (customUI14.xml): it hands the
' button's id and tag (the ribbon's language) to the Python dispatcher, addin.ribbon.dispatch.
Sub ChurnkitButton(control As IRibbonControl)
    RunPython "import addin.ribbon as r; r.dispatch('" & control.Id & "', '" & control.Tag & "')"
End Sub
