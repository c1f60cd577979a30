"""Every sentence the assistant says to staff, in one package the school can review.

One module per part of the assistant: ``policy`` (answers and refusals), ``form``
(the approval form conversation), ``workflow`` (approvals and notices), ``chat``
(greetings, help and errors shared by every platform).
"""
