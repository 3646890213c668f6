# ruff: noqa: E501 - one msgid and its translation a line, whatever the length
"""Chinese translations of the msgids added by the auth branch (login, TOTP, sessions).

The integrator merges ``ZH`` into caseman/translations/zh_Hans_CN/LC_MESSAGES/messages.po.
"""

ZH = {
    "At least 8 characters; common passwords and your username are refused. A few plain words make a good password.": "至少8个字符；常见密码和包含用户名的密码不能使用。几个普通词语连在一起就是好密码。",
    "Cannot scan? Type this key into the app instead (time-based):": "无法扫码？请在应用中手动输入以下密钥（选择“基于时间”）：",
    "Change the password": "修改密码",
    "Code from the authenticator app": "身份验证器中的动态码",
    "Confirm": "确认",
    "Current password": "当前密码",
    "In the app, add an account and scan this QR code:": "在应用中添加账户，扫描下面的二维码：",
    "Install an authenticator app on your phone, for example Tencent Authenticator, Microsoft Authenticator or FreeOTP.": "在手机上安装身份验证器应用，例如腾讯身份验证器、Microsoft Authenticator 或 FreeOTP。",
    "Keep the key secret. If you lose your phone, ask the administrator to reset your second factor.": "请妥善保管密钥，不要告诉他人。手机丢失时，请联系管理员重置二次验证。",
    "Log in as someone else": "用其他账号登录",
    "My account": "我的账号",
    "New password": "新密码",
    "New password again": "再次输入新密码",
    "Nothing happened for %(minutes)d minutes, so you were logged out. Please log in again.": "您已连续%(minutes)d分钟没有操作，系统已自动退出登录，请重新登录。",
    "Off.": "未开启。",
    "On: every login asks for a code from the authenticator app.": "已开启：每次登录都要输入身份验证器中的动态码。",
    "Open the authenticator app on your phone and type the six-digit code it shows for caseman.": "请打开手机上的身份验证器，输入 caseman 对应的6位动态码。",
    "QR code of the second factor": "二次验证二维码",
    "Second factor": "二次验证",
    "Set up the second factor": "设置二次验证",
    "Start the set-up of the second factor again.": "请重新开始设置二次验证。",
    "The TOTP secret must be base32 (A–Z, 2–7) of at least %(count)d characters.": "TOTP密钥须为base32字符（A–Z、2–7），至少%(count)d个字符。",
    "The current password is wrong.": "当前密码不正确。",
    "The new password must differ from the current one.": "新密码不能与当前密码相同。",
    "The password can have at most 128 characters.": "密码最多128个字符。",
    "The password must not be the username, even with digits or signs added.": "密码不能是用户名，也不能只是在用户名后加数字或符号。",
    "The second factor is already set up.": "二次验证已经设置好了。",
    "The second factor is on: every login will ask for a code.": "二次验证已开启：以后每次登录都要输入动态码。",
    "The two new passwords differ.": "两次输入的新密码不一致。",
    "This code is wrong or was already used. Try the next one.": "动态码不正确或已经用过，请等下一个动态码出现后再输入。",
    "Type the six-digit code the app now shows, to confirm:": "输入应用当前显示的6位动态码，完成确认：",
    "You were logged in for more than %(hours)d hours. Please log in again.": "您已登录超过%(hours)d小时，为保障安全请重新登录。",
    "Your other sessions (other browsers or phones) will be logged out.": "您在其他浏览器或手机上的登录将被退出。",
    "Your password was changed. Other sessions were logged out.": "密码已修改，其他设备上的登录已退出。",
    "Your role sees the case files of a whole town or district, so a password alone is not enough: each login also asks for a code from an authenticator app on your phone.": "您的账号可以查看整个镇街或全区的档案，仅凭密码不够安全：每次登录还需输入手机身份验证器中的动态码。",
    "Your session has ended. Please log in again.": "登录已失效，请重新登录。",
}
